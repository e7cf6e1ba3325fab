// RESP2/RESP3 decoder for tests. Strict: lines must end with CRLF, lengths must be valid,
// and a bulk's payload must be followed by CRLF, so a framing bug in the server shows up
// as a decode error rather than as a wrong value.
#include "testing/resp_value.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace gannet {

namespace {

enum class Outcome { kOk, kIncomplete, kMalformed };

constexpr int kMaxDepth = 512;

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  Outcome Value(RespValue* out, int depth) {
    if (depth > kMaxDepth) return Bad("nesting too deep");
    if (pos_ >= in_.size()) return Outcome::kIncomplete;
    char t = in_[pos_++];
    std::string_view line;
    Outcome o = Line(&line);
    if (o != Outcome::kOk) return o;
    switch (t) {
      case '+':
        out->type = RespType::kSimple;
        out->str.assign(line);
        return Outcome::kOk;
      case '-':
        out->type = RespType::kError;
        out->str.assign(line);
        return Outcome::kOk;
      case ':':
        out->type = RespType::kInteger;
        if (!Int(line, &out->integer)) return Bad("bad integer");
        return Outcome::kOk;
      case '(':
        out->type = RespType::kBigNumber;
        out->str.assign(line);
        if (line.empty()) return Bad("empty big number");
        return Outcome::kOk;
      case '_':
        if (!line.empty()) return Bad("garbage after _");
        out->type = RespType::kNull;
        return Outcome::kOk;
      case '#':
        if (line != "t" && line != "f") return Bad("bad boolean");
        out->type = RespType::kBool;
        out->boolean = line == "t";
        return Outcome::kOk;
      case ',':
        out->type = RespType::kDouble;
        out->str.assign(line);
        return Double(line, &out->dbl) ? Outcome::kOk : Bad("bad double");
      case '$':
      case '!':
      case '=': {
        int64_t len;
        if (!Int(line, &len)) return Bad("bad length");
        if (len == -1 && t == '$') {
          out->type = RespType::kNull;
          return Outcome::kOk;
        }
        if (len < 0) return Bad("negative length");
        std::string_view payload;
        o = Payload(static_cast<size_t>(len), &payload);
        if (o != Outcome::kOk) return o;
        if (t == '$') {
          out->type = RespType::kBulk;
          out->str.assign(payload);
        } else if (t == '!') {
          out->type = RespType::kError;
          out->str.assign(payload);
        } else {
          if (payload.size() < 4 || payload[3] != ':') return Bad("bad verbatim string");
          out->type = RespType::kVerbatim;
          out->format.assign(payload.substr(0, 3));
          out->str.assign(payload.substr(4));
        }
        return Outcome::kOk;
      }
      case '*':
      case '%':
      case '~':
      case '>':
      case '|': {
        int64_t n;
        if (!Int(line, &n)) return Bad("bad aggregate length");
        if (n == -1 && t == '*') {
          out->type = RespType::kNull;
          out->null_array = true;
          return Outcome::kOk;
        }
        if (n < 0) return Bad("negative aggregate length");
        // Do not trust the count for reserving: each child needs at least 3 bytes.
        if (static_cast<uint64_t>(n) > in_.size()) return Outcome::kIncomplete;
        size_t children = static_cast<size_t>(n) * ((t == '%' || t == '|') ? 2 : 1);
        std::vector<RespValue> elems(children);
        for (auto& e : elems) {
          o = Value(&e, depth + 1);
          if (o != Outcome::kOk) return o;
        }
        if (t == '|') {
          // Attributes describe the value that follows them.
          o = Value(out, depth + 1);
          if (o != Outcome::kOk) return o;
          out->attributes = std::move(elems);
          return Outcome::kOk;
        }
        out->type = t == '*'   ? RespType::kArray
                    : t == '%' ? RespType::kMap
                    : t == '~' ? RespType::kSet
                               : RespType::kPush;
        out->elems = std::move(elems);
        return Outcome::kOk;
      }
      default:
        --pos_;
        return Bad(std::string("unknown type byte '") + EscapeBytes(std::string_view(&t, 1)) + "'");
    }
  }

  size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  Outcome Bad(std::string why) {
    error_ = std::move(why) + " at offset " + std::to_string(pos_);
    return Outcome::kMalformed;
  }

  // Reads up to CRLF (exclusive) and moves past it.
  Outcome Line(std::string_view* line) {
    size_t cr = in_.find('\r', pos_);
    size_t lf = in_.find('\n', pos_);
    if (lf < cr) return Bad("bare LF in a line");
    if (cr == std::string_view::npos) return Outcome::kIncomplete;
    if (cr + 1 >= in_.size()) return Outcome::kIncomplete;
    if (in_[cr + 1] != '\n') return Bad("CR without LF");
    *line = in_.substr(pos_, cr - pos_);
    pos_ = cr + 2;
    return Outcome::kOk;
  }

  Outcome Payload(size_t len, std::string_view* payload) {
    if (in_.size() - pos_ < len || in_.size() - pos_ - len < 2) return Outcome::kIncomplete;
    if (in_[pos_ + len] != '\r' || in_[pos_ + len + 1] != '\n') {
      return Bad("payload not followed by CRLF");
    }
    *payload = in_.substr(pos_, len);
    pos_ += len + 2;
    return Outcome::kOk;
  }

  static bool Int(std::string_view s, int64_t* v) {
    if (s.empty() || s.size() > 20) return false;
    std::string buf(s);
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(buf.c_str(), &end, 10);
    if (errno != 0 || end != buf.c_str() + buf.size()) return false;
    *v = x;
    return true;
  }

  static bool Double(std::string_view s, double* v) {
    if (s == "inf" || s == "+inf") {
      *v = HUGE_VAL;
      return true;
    }
    if (s == "-inf") {
      *v = -HUGE_VAL;
      return true;
    }
    if (s == "nan" || s == "-nan") {
      *v = std::nan("");
      return true;
    }
    if (s.empty()) return false;
    std::string buf(s);
    char* end = nullptr;
    *v = std::strtod(buf.c_str(), &end);
    return end == buf.c_str() + buf.size();
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

void Render(const RespValue& v, std::string* out) {
  auto list = [&](const char* open, const char* close) {
    out->append(open);
    for (size_t i = 0; i < v.elems.size(); ++i) {
      if (i > 0) out->append(", ");
      Render(v.elems[i], out);
    }
    out->append(close);
  };
  switch (v.type) {
    case RespType::kSimple:
      out->append("+").append(EscapeBytes(v.str));
      break;
    case RespType::kError:
      out->append("-").append(EscapeBytes(v.str));
      break;
    case RespType::kInteger:
      out->append(":").append(std::to_string(v.integer));
      break;
    case RespType::kBulk:
      out->append("\"").append(EscapeBytes(v.str)).append("\"");
      break;
    case RespType::kNull:
      out->append(v.null_array ? "nil-array" : "nil");
      break;
    case RespType::kArray:
      list("[", "]");
      break;
    case RespType::kSet:
      list("~{", "}");
      break;
    case RespType::kPush:
      list(">[", "]");
      break;
    case RespType::kMap:
      out->append("{");
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        if (i > 0) out->append(", ");
        Render(v.elems[i], out);
        out->append(" => ");
        Render(v.elems[i + 1], out);
      }
      out->append("}");
      break;
    case RespType::kDouble:
      out->append(",").append(v.str);
      break;
    case RespType::kBool:
      out->append(v.boolean ? "#t" : "#f");
      break;
    case RespType::kBigNumber:
      out->append("(").append(v.str);
      break;
    case RespType::kVerbatim:
      out->append("=").append(v.format).append(":\"").append(EscapeBytes(v.str)).append("\"");
      break;
  }
}

}  // namespace

std::string_view RespTypeName(RespType t) {
  switch (t) {
    case RespType::kSimple:
      return "simple string";
    case RespType::kError:
      return "error";
    case RespType::kInteger:
      return "integer";
    case RespType::kBulk:
      return "bulk string";
    case RespType::kNull:
      return "null";
    case RespType::kArray:
      return "array";
    case RespType::kMap:
      return "map";
    case RespType::kSet:
      return "set";
    case RespType::kPush:
      return "push";
    case RespType::kDouble:
      return "double";
    case RespType::kBool:
      return "boolean";
    case RespType::kBigNumber:
      return "big number";
    case RespType::kVerbatim:
      return "verbatim string";
  }
  return "?";
}

std::optional<RespValue> RespValue::Decode(std::string_view bytes, size_t* consumed,
                                           std::string* error) {
  Decoder d(bytes);
  RespValue v;
  Outcome o = d.Value(&v, 0);
  if (error != nullptr) {
    error->clear();
    if (o == Outcome::kMalformed) *error = d.error();
  }
  if (o != Outcome::kOk) {
    if (consumed != nullptr) *consumed = 0;
    return std::nullopt;
  }
  if (consumed != nullptr) *consumed = d.pos();
  return v;
}

std::vector<RespValue> RespValue::DecodeAll(std::string_view bytes, std::string* error) {
  std::vector<RespValue> out;
  if (error != nullptr) error->clear();
  while (!bytes.empty()) {
    size_t used = 0;
    std::string why;
    std::optional<RespValue> v = Decode(bytes, &used, &why);
    if (!v) {
      if (error != nullptr) {
        *error =
            why.empty() ? "incomplete value after " + std::to_string(out.size()) + " values" : why;
      }
      break;
    }
    out.push_back(std::move(*v));
    bytes.remove_prefix(used);
  }
  return out;
}

RespValue RespValue::Simple(std::string s) {
  RespValue v;
  v.type = RespType::kSimple;
  v.str = std::move(s);
  return v;
}

RespValue RespValue::Error(std::string s) {
  RespValue v;
  v.type = RespType::kError;
  v.str = std::move(s);
  return v;
}

RespValue RespValue::Integer(int64_t i) {
  RespValue v;
  v.type = RespType::kInteger;
  v.integer = i;
  return v;
}

RespValue RespValue::Bulk(std::string s) {
  RespValue v;
  v.type = RespType::kBulk;
  v.str = std::move(s);
  return v;
}

RespValue RespValue::Null() { return RespValue(); }

RespValue RespValue::Array(std::vector<RespValue> elems) {
  RespValue v;
  v.type = RespType::kArray;
  v.elems = std::move(elems);
  return v;
}

std::vector<std::string> RespValue::Strings() const {
  std::vector<std::string> out;
  out.reserve(elems.size());
  for (const RespValue& e : elems) {
    if (e.type == RespType::kBulk || e.type == RespType::kSimple || e.type == RespType::kVerbatim) {
      out.push_back(e.str);
    } else {
      out.push_back(e.ToString());
    }
  }
  return out;
}

std::string RespValue::ToString() const {
  std::string out;
  Render(*this, &out);
  return out;
}

bool operator==(const RespValue& a, const RespValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case RespType::kInteger:
      return a.integer == b.integer;
    case RespType::kBool:
      return a.boolean == b.boolean;
    case RespType::kNull:
      return a.null_array == b.null_array;
    case RespType::kDouble:
      return a.dbl == b.dbl || (std::isnan(a.dbl) && std::isnan(b.dbl));
    case RespType::kVerbatim:
      return a.format == b.format && a.str == b.str;
    case RespType::kArray:
    case RespType::kMap:
    case RespType::kSet:
    case RespType::kPush:
      return a.elems == b.elems;
    default:
      return a.str == b.str;
  }
}

std::ostream& operator<<(std::ostream& os, const RespValue& v) { return os << v.ToString(); }

void PrintTo(const RespValue& v, std::ostream* os) { *os << v.ToString(); }

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

std::string EscapeBytes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(static_cast<char>(c));
        } else {
          char buf[5];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        }
    }
  }
  return out;
}

}  // namespace gannet
