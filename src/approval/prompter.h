// cordon - asking a person. The flow (flow.h) talks to a Prompter; the terminal prompter is the
// first front end, and later ones (JSON-RPC, MCP elicitation, automatic review) implement the
// same interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon::approval {

enum class Answer {
  Once,     // run it this time
  Session,  // run it, and do not ask again for it in this session
  Always,   // run it, and save an allow rule so it is never asked again
  Deny,     // do not run it; the caller may go on
  Abort,    // do not run it, and stop: the caller should end what it is doing
};

const char* to_string(Answer a);

struct Question {
  std::string command;   // the command line as the person should see it
  std::string cwd;       // where it would run
  std::string reason;    // why approval is needed
  bool outside = false;  // approving runs it outside the sandbox
  bool retry = false;    // asked after the sandbox blocked the command
  std::string blocked;   // retry: what the sandbox refused
  bool offer_session = false;
  std::vector<std::string> always_rules;  // the rules "always" would save; empty: not offered
  std::string always_file;                // where they would be saved
};

class Prompter {
 public:
  virtual ~Prompter() = default;
  // The person's answer, or nullopt when nobody can be asked (no terminal): the caller then
  // refuses, saying how to approve.
  virtual std::optional<Answer> ask(const Question& q) = 0;
};

// Nobody to ask: every question is unanswered.
class NoPrompter final : public Prompter {
 public:
  std::optional<Answer> ask(const Question&) override { return std::nullopt; }
};

}  // namespace cordon::approval
