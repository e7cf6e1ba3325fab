// The one place replies are encoded. Handlers say what they reply ("an array of 3",
// "null", "a map of 2") and the builder writes RESP2 or RESP3 bytes for the client's
// protocol version into an output string. In RESP2, maps become flat arrays of 2n items,
// sets become arrays, doubles become bulk strings, booleans become integers 1/0, and
// nulls become $-1 (or *-1 for a null array).
//
// Because the output is bytes, capturing is just another builder writing into its own
// string: MULTI/EXEC writes each queued command into a nested builder and then emits
// "*n" followed by the captured bytes; tests decode the bytes with RespValue (test util).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gannet {

enum class RespVersion : uint8_t { kResp2 = 2, kResp3 = 3 };

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out, RespVersion version = RespVersion::kResp2)
      : out_(out), version_(version) {}

  RespVersion version() const { return version_; }
  void set_version(RespVersion v) { version_ = v; }
  bool resp3() const { return version_ == RespVersion::kResp3; }

  void SendOk() { SendSimple("OK"); }
  void SendSimple(std::string_view s);              // +s
  // text without '-': "ERR syntax error", "WRONGTYPE ...". CR/LF in text become spaces.
  void SendError(std::string_view text);
  void SendBulk(std::string_view s);                // $len s
  void SendLong(int64_t v);                         // :v
  void SendDouble(double v);                        // RESP3 ,v  RESP2 bulk "%.17g"
  void SendBool(bool v);                            // RESP3 #t/#f  RESP2 :1/:0
  void SendBigNumber(std::string_view digits);      // RESP3 (n  RESP2 bulk
  void SendVerbatim(std::string_view text, std::string_view format = "txt");  // RESP3 =
  void SendNull();                                  // RESP3 _  RESP2 $-1
  void SendNullArray();                             // RESP3 _  RESP2 *-1
  void SendArrayLen(size_t n);                      // *n
  void SendMapLen(size_t n);                        // RESP3 %n  RESP2 *2n
  void SendSetLen(size_t n);                        // RESP3 ~n  RESP2 *n
  void SendPushLen(size_t n);                       // RESP3 >n  RESP2 *n
  void SendEmptyArray() { SendArrayLen(0); }
  // Bytes already encoded for this client's protocol (e.g. a captured EXEC reply).
  void SendRaw(std::string_view bytes) { out_->append(bytes); }

  // Shorthands used everywhere.
  void SendBulkArray(const auto& strings) {
    SendArrayLen(strings.size());
    for (const auto& s : strings) SendBulk(s);
  }

  std::string* out() { return out_; }
  // Number of error replies sent (INFO errorstats, and tests).
  uint64_t errors_sent() const { return errors_sent_; }
  // The code of the last error reply as INFO errorstats counts it: its first word when a
  // space comes within its first 31 bytes, else "ERR".
  std::string_view last_error_code() const {
    return std::string_view(last_error_code_, last_error_code_len_);
  }

 private:
  std::string* out_;
  RespVersion version_;
  uint64_t errors_sent_ = 0;
  uint8_t last_error_code_len_ = 0;
  char last_error_code_[31];
};

}  // namespace gannet
