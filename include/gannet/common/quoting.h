// Redis's quoting of arguments in text files: the splitting of a line into words
// (sdssplitargs: spaces separate, "double quotes" take \n \r \t \b \a \xHH \\ \" escapes,
// 'single quotes' only \', a closing quote must end the word) and the reverse (sdscatrepr).
// redis.conf lines, the AOF manifest and MONITOR lines all use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gannet {

// The words of `line`; nullopt when its quotes are unbalanced or a closing quote is
// followed by something other than a space.
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

// s in double quotes with Redis's escapes, appended to out.
void AppendRepr(std::string& out, std::string_view s);

// s as is when SplitArgs would read it back unchanged, else quoted.
std::string QuoteArg(std::string_view arg);

}  // namespace gannet
