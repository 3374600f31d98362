// cordon - the terminal prompter: asks on the controlling terminal (/dev/tty), so it works
// while the command's stdin and stdout are pipes. Without a controlling terminal nobody is
// asked.
#pragma once

#include "approval/prompter.h"

namespace cordon::approval {

// The question as shown on the terminal (also used by tests).
std::string render_question(const Question& q);

// Reads one answer: y (once), s (session), a (always), n (deny), q (abort); the full words
// work too. nullopt for anything else, or a choice that was not offered.
std::optional<Answer> parse_answer(const std::string& line, const Question& q);

class TtyPrompter final : public Prompter {
 public:
  std::optional<Answer> ask(const Question& q) override;
};

}  // namespace cordon::approval
