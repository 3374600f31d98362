// cordon - the one translation unit that compiles toml++'s implementation.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
