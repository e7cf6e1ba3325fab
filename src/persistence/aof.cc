// The AOF's files: RESP encoding of commands, the manifest and the file names of Redis 7's
// multi-part layout, and the loader (manifest → base → incr files). See aof.h.
#include "gannet/persistence/aof.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>

#include "gannet/common/ascii.h"
#include "gannet/common/quoting.h"

namespace gannet {
namespace {

// Appends the decimal form of v (no allocation).
void AppendUint(std::string* out, uint64_t v) {
  char tmp[24];
  auto [end, ec] = std::to_chars(tmp, tmp + sizeof(tmp), v);
  (void)ec;
  out->append(tmp, static_cast<size_t>(end - tmp));
}

std::string JoinPath(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string p = dir;
  if (p.back() != '/') p += '/';
  p += name;
  return p;
}

bool WriteAll(int fd, const char* p, size_t n, std::string* error) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Buffered reading of a command stream with the byte offset of everything it returns.
class StreamReader {
 public:
  static constexpr size_t kMaxLine = 4096;

  StreamReader(int fd, uint64_t start) : fd_(fd), offset_(start) { buf_.resize(64 * 1024); }

  uint64_t offset() const { return offset_; }
  bool io_error() const { return io_errno_ != 0; }
  int io_errno() const { return io_errno_; }

  // True at a clean end of input.
  bool AtEof() {
    if (pos_ < len_) return false;
    return !Fill();
  }

  enum LineStatus { kLine, kEnd, kTooLong };
  // Reads through the next '\n'. kEnd when the input ends first (what was read is in
  // *line) or on error; kTooLong for a line no valid file has.
  LineStatus ReadLine(std::string* line) {
    line->clear();
    while (true) {
      if (pos_ >= len_ && !Fill()) return kEnd;
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl != nullptr) {
        size_t n = static_cast<size_t>(static_cast<const char*>(nl) - start) + 1;
        line->append(start, n);
        pos_ += n;
        offset_ += n;
        return line->size() > kMaxLine ? kTooLong : kLine;
      }
      line->append(start, len_ - pos_);
      offset_ += len_ - pos_;
      pos_ = len_;
      // Lines of a valid file are short; a huge one is garbage, not a reason to buffer GBs.
      if (line->size() > kMaxLine) return kTooLong;
    }
  }

  // Reads exactly n bytes into out. False when the input ends first.
  bool ReadExact(size_t n, std::string* out) {
    out->clear();
    while (n > 0) {
      if (pos_ >= len_ && !Fill()) return false;
      size_t take = std::min(n, len_ - pos_);
      out->append(buf_.data() + pos_, take);
      pos_ += take;
      offset_ += take;
      n -= take;
    }
    return true;
  }

 private:
  bool Fill() {
    pos_ = len_ = 0;
    while (true) {
      ssize_t r = ::read(fd_, buf_.data(), buf_.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        io_errno_ = errno;
        return false;
      }
      len_ = static_cast<size_t>(r);
      return r > 0;
    }
  }

  int fd_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  uint64_t offset_;
  int io_errno_ = 0;
};

// "<prefix><digits>\r\n" → the number; false on anything else.
bool ParseCountLine(std::string_view line, char prefix, int64_t* out) {
  if (line.size() < 4 || line[0] != prefix || line[line.size() - 2] != '\r') return false;
  std::string_view digits = line.substr(1, line.size() - 3);
  if (digits.empty()) return false;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && p == digits.data() + digits.size();
}

}  // namespace

std::optional<AofFsync> ParseAofFsync(std::string_view s) {
  if (EqualsNoCase(s, "always")) return AofFsync::kAlways;
  if (EqualsNoCase(s, "everysec")) return AofFsync::kEverySec;
  if (EqualsNoCase(s, "no")) return AofFsync::kNo;
  return std::nullopt;
}

void AppendRespCommand(std::string* out, AofArgs args) {
  size_t need = 16;
  for (auto a : args) need += a.size() + 16;
  out->reserve(out->size() + need);
  out->push_back('*');
  AppendUint(out, args.size());
  out->append("\r\n", 2);
  for (auto a : args) {
    out->push_back('$');
    AppendUint(out, a.size());
    out->append("\r\n", 2);
    out->append(a.data(), a.size());
    out->append("\r\n", 2);
  }
}

// ---------------------------------------------------------------- manifest

std::string AofManifestName(std::string_view prefix) { return std::string(prefix) + ".manifest"; }
std::string AofBaseName(std::string_view prefix, int64_t seq, bool rdb) {
  return std::string(prefix) + "." + std::to_string(seq) + ".base" + (rdb ? ".rdb" : ".aof");
}
std::string AofIncrName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + std::to_string(seq) + ".incr.aof";
}
std::string AofTempIncrName(std::string_view prefix) {
  return "temp-" + std::string(prefix) + ".incr";
}
std::string AofTempManifestName(std::string_view prefix) {
  return "temp-" + std::string(prefix) + ".manifest";
}
std::string AofTempRewriteName(pid_t child_pid) {
  return "temp-rewriteaof-bg-" + std::to_string(child_pid) + ".aof";
}

std::string AofManifest::Format() const {
  std::string out;
  auto line = [&out](const AofFileInfo& f) {
    out += "file ";
    out += QuoteArg(f.name);
    out += " seq ";
    out += std::to_string(f.seq);
    out += " type ";
    out += static_cast<char>(f.type);
    out += '\n';
  };
  if (base) line(*base);
  for (const auto& f : history) line(f);
  for (const auto& f : incrs) line(f);
  return out;
}

bool AofManifest::Parse(std::string_view text, AofManifest* out, std::string* error) {
  constexpr size_t kMaxLine = 1024;
  *out = AofManifest{};
  size_t pos = 0;
  bool any = false;
  int64_t last_incr = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.size() >= kMaxLine) {
      *error = "The AOF manifest file contains too long line";
      return false;
    }
    if (!line.empty() && line[0] == '#') continue;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    if (line.empty()) {
      *error = "Invalid AOF manifest file format";
      return false;
    }
    std::optional<std::vector<std::string>> split = SplitArgs(line);
    if (!split || split->empty() || split->size() % 2 != 0) {
      *error = "Invalid AOF manifest file format";
      return false;
    }
    const std::vector<std::string>& words = *split;
    AofFileInfo info;
    bool has_name = false, has_seq = false, has_type = false;
    for (size_t i = 0; i < words.size(); i += 2) {
      const std::string& k = words[i];
      const std::string& v = words[i + 1];
      if (k == "file") {
        info.name = v;
        has_name = true;
      } else if (k == "seq") {
        int64_t seq = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seq);
        if (ec != std::errc() || p != v.data() + v.size() || seq < 0) {
          *error = "Invalid AOF manifest file format";
          return false;
        }
        info.seq = seq;
        has_seq = true;
      } else if (k == "type") {
        if (v.size() != 1) {
          *error = "Unknown AOF file type";
          return false;
        }
        info.type = static_cast<AofFileType>(v[0]);
        has_type = true;
      }
      // Other keys: written by a newer version; ignored.
    }
    if (!has_name || !has_seq || !has_type || info.name.empty() ||
        info.name.find('/') != std::string::npos) {
      *error = "Invalid AOF manifest file format";
      return false;
    }
    switch (info.type) {
      case AofFileType::kBase:
        if (out->base) {
          *error = "Found duplicate base file information";
          return false;
        }
        out->base_seq = info.seq;
        out->base = std::move(info);
        break;
      case AofFileType::kHistory:
        out->history.push_back(std::move(info));
        break;
      case AofFileType::kIncr:
        if (info.seq <= last_incr) {
          *error = "Found a non-monotonic sequence number";
          return false;
        }
        last_incr = out->incr_seq = info.seq;
        out->incrs.push_back(std::move(info));
        break;
      default:
        *error = "Unknown AOF file type";
        return false;
    }
    any = true;
  }
  if (!any) {
    *error = "Found an empty AOF manifest";
    return false;
  }
  return true;
}

bool WriteAofManifest(const std::string& dir, std::string_view prefix, const AofManifest& m,
                      std::string* error) {
  const std::string tmp = JoinPath(dir, AofTempManifestName(prefix));
  const std::string final_path = JoinPath(dir, AofManifestName(prefix));
  const std::string text = m.Format();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  bool ok = WriteAll(fd, text.data(), text.size(), error);
  if (ok && ::fsync(fd) != 0) {
    *error = std::strerror(errno);
    ok = false;
  }
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    *error = std::strerror(errno);
    ok = false;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return false;
  }
  // The rename must survive a crash too.
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

// ---------------------------------------------------------------- loading

AofStreamResult ReplayAofStream(int fd, uint64_t start, const AofCommandFn& fn,
                                const std::function<bool(uint64_t offset)>& between) {
  AofStreamResult res;
  res.valid_up_to = start;
  StreamReader in(fd, start);
  std::string line;
  std::vector<std::string> argv;
  std::vector<std::string_view> views;
  // A MULTI block is held back until its EXEC: replaying half a transaction would leave a
  // state no client ever saw.
  bool in_multi = false;
  uint64_t multi_start = 0;
  std::vector<std::vector<std::string>> queued;

  auto run = [&](std::vector<std::string>& cmd) -> bool {
    if (between && !between(in.offset())) {
      res.status = AofStreamResult::kStopped;
      res.message = "Loading aborted";
      return false;
    }
    views.assign(cmd.begin(), cmd.end());
    std::string err;
    if (!fn(AofArgs(views.data(), views.size()), &err)) {
      res.status = AofStreamResult::kStopped;
      res.message = std::move(err);
      return false;
    }
    ++res.commands;
    return true;
  };
  auto truncated = [&](uint64_t at) {
    if (in.io_error()) {
      res.status = AofStreamResult::kIoError;
      res.message = std::strerror(in.io_errno());
    } else {
      res.status = AofStreamResult::kTruncated;
      res.message = "Unexpected end of file";
    }
    res.error_offset = at;
    if (in_multi) res.valid_up_to = multi_start;
    return res;
  };
  auto bad = [&](uint64_t at) {
    res.status = AofStreamResult::kBadFormat;
    res.error_offset = at;
    res.message = "Bad file format";
    return res;
  };

  while (true) {
    const uint64_t cmd_start = in.offset();
    if (in.AtEof()) {
      if (in.io_error()) return truncated(cmd_start);
      break;
    }
    switch (in.ReadLine(&line)) {
      case StreamReader::kLine:
        break;
      case StreamReader::kTooLong:
        return bad(cmd_start);
      case StreamReader::kEnd:
        // A partial line that cannot start a command is garbage, not a short write.
        if (!line.empty() && line[0] != '*' && line[0] != '#') return bad(cmd_start);
        return truncated(in.offset());
    }
    if (line[0] == '#') continue;  // annotation (#TS:...)
    int64_t argc = 0;
    if (!ParseCountLine(line, '*', &argc) || argc < 1) return bad(cmd_start);
    argv.resize(0);
    for (int64_t i = 0; i < argc; ++i) {
      const uint64_t arg_start = in.offset();
      auto st = in.ReadLine(&line);
      if (st == StreamReader::kTooLong) return bad(arg_start);
      if (st == StreamReader::kEnd) {
        if (!line.empty() && line[0] != '$') return bad(arg_start);
        return truncated(in.offset());
      }
      int64_t len = 0;
      if (!ParseCountLine(line, '$', &len) || len < 0) return bad(arg_start);
      std::string arg;
      // A length beyond the file's end is a short read, found without allocating it.
      if (!in.ReadExact(static_cast<size_t>(len), &arg)) return truncated(in.offset());
      std::string crlf;
      if (!in.ReadExact(2, &crlf)) return truncated(in.offset());
      if (crlf != "\r\n") return bad(in.offset() - 2);
      argv.push_back(std::move(arg));
    }
    if (EqualsNoCase(argv[0], "multi")) {
      if (!in_multi) {
        in_multi = true;
        multi_start = cmd_start;
        queued.clear();
      }
      continue;
    }
    if (EqualsNoCase(argv[0], "exec")) {
      if (in_multi) {
        in_multi = false;
        for (auto& cmd : queued) {
          if (!run(cmd)) {
            res.error_offset = cmd_start;
            return res;
          }
        }
        queued.clear();
        res.valid_up_to = in.offset();
      }
      continue;
    }
    if (in_multi) {
      queued.push_back(argv);
      continue;
    }
    if (!run(argv)) {
      res.error_offset = cmd_start;
      return res;
    }
    res.valid_up_to = in.offset();
  }
  if (in_multi) {
    res.status = AofStreamResult::kTruncated;
    res.message = "Revert incomplete MULTI/EXEC transaction";
    res.error_offset = in.offset();
    res.valid_up_to = multi_start;
  }
  return res;
}

AofLoadResult LoadAof(const AofManifest& m, const AofLoadOptions& options, Keyspace& ks,
                      const AofCommandFn& fn) {
  AofLoadResult result;
  std::vector<const AofFileInfo*> files;
  if (m.base) files.push_back(&*m.base);
  for (const auto& f : m.incrs) files.push_back(&f);
  if (files.empty()) {
    result.status = AofLoadStatus::kNotExist;
    return result;
  }
  bool all_empty = true;
  // Bytes of the files before the current one (the `between` progress figure).
  uint64_t done_before = 0;
  bool aborted = false;
  auto fail = [&result](std::string msg) {
    result.status = AofLoadStatus::kFailed;
    result.error = std::move(msg);
    return result;
  };
  for (size_t i = 0; i < files.size(); ++i) {
    const AofFileInfo& f = *files[i];
    const bool last = i + 1 == files.size();
    const std::string path = JoinPath(options.dir, f.name);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return fail("The AOF file " + f.name + " doesn't exist");
      return fail("Fatal error: can't open the append log file " + f.name +
                  " for reading: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      std::string e = std::strerror(errno);
      ::close(fd);
      return fail("Unrecoverable error reading the append only file " + f.name + ": " + e);
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    result.total_size += size;
    if (f.type == AofFileType::kBase) result.base_size = size;
    if (size == 0) {
      ::close(fd);
      continue;
    }
    all_empty = false;
    uint64_t start = 0;
    char magic[5] = {};
    const bool rdb = f.type == AofFileType::kBase && ::pread(fd, magic, 5, 0) == 5 &&
                     std::memcmp(magic, "REDIS", 5) == 0;
    if (rdb) {
      FdSource src(fd);
      RdbLoadError err;
      RdbLoadInfo info;
      RdbLoadOptions rdb_opts = options.rdb;
      if (options.between) {
        rdb_opts.between_keys = [&](uint64_t parsed) {
          if (options.between(done_before + parsed, true)) return true;
          aborted = true;
          return false;
        };
      }
      if (!LoadRdb(src, ks, options.now_ms, rdb_opts, &err, &info)) {
        ::close(fd);
        if (aborted) {
          result.status = AofLoadStatus::kAborted;
          return result;
        }
        return fail("Bad file format reading the append only file " + f.name +
                    " (RDB preamble): " + err.ToString());
      }
      result.rdb_keys += info.keys_loaded;
      start = info.bytes_read;
      // An old single-file AOF may continue with commands after its RDB preamble.
      if (::lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0) {
        std::string e = std::strerror(errno);
        ::close(fd);
        return fail("Unrecoverable error reading the append only file " + f.name + ": " + e);
      }
    }
    std::function<bool(uint64_t)> between;
    if (options.between) {
      between = [&](uint64_t offset) {
        if (options.between(done_before + offset, false)) return true;
        aborted = true;
        return false;
      };
    }
    AofStreamResult r = ReplayAofStream(fd, start, fn, between);
    ::close(fd);
    done_before += size;
    result.commands += r.commands;
    if (aborted) {
      result.status = AofLoadStatus::kAborted;
      return result;
    }
    switch (r.status) {
      case AofStreamResult::kOk:
        break;
      case AofStreamResult::kStopped:
        return fail(r.message + " reading the append only file " + f.name + " at offset " +
                    std::to_string(r.error_offset));
      case AofStreamResult::kIoError:
        return fail("Unrecoverable error reading the append only file " + f.name + ": " +
                    r.message);
      case AofStreamResult::kBadFormat:
        return fail("Bad file format reading the append only file " + f.name + " at offset " +
                    std::to_string(r.error_offset) +
                    ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                    "<filename.manifest>");
      case AofStreamResult::kTruncated: {
        if (!last) {
          return fail("Fatal error: the truncated file " + f.name + " is not the last file" +
                      " (unexpected end at offset " + std::to_string(r.error_offset) + ")");
        }
        if (!options.load_truncated) {
          return fail("Unexpected end of file reading the append only file " + f.name +
                      " at offset " + std::to_string(r.error_offset) +
                      ". You can: 1) Make a backup of your AOF file, then use ./redis-check-aof "
                      "--fix <filename.manifest>. 2) Alternatively you can set the "
                      "'aof-load-truncated' configuration option to yes and restart the server.");
        }
        if (r.message.starts_with("Revert")) {
          result.warnings.push_back("Revert incomplete MULTI/EXEC transaction in AOF file " +
                                    f.name);
        }
        result.warnings.push_back("!!! Warning: short read while loading the AOF file " + f.name +
                                  "!!!");
        result.warnings.push_back("!!! Truncating the AOF " + f.name + " at offset " +
                                  std::to_string(r.valid_up_to) + " !!!");
        if (::truncate(path.c_str(), static_cast<off_t>(r.valid_up_to)) != 0) {
          return fail("Error truncating the AOF file " + f.name + ": " + std::strerror(errno));
        }
        result.total_size -= size - r.valid_up_to;
        result.trimmed = true;
        result.warnings.push_back("AOF " + f.name +
                                  " loaded anyway because aof-load-truncated is enabled");
        break;
      }
    }
  }
  result.status = all_empty ? AofLoadStatus::kEmpty : AofLoadStatus::kOk;
  return result;
}

// ---------------------------------------------------------------- base files

bool WriteAofBaseRdb(Keyspace& ks, int64_t now_ms, RdbOptions options, int fd, uint64_t fsync_every,
                     std::string* error) {
  options.aof_base = true;
  FdSink sink(fd, size_t{1} << 20, fsync_every);
  if (!WriteRdb(ks, now_ms, options, sink, error)) return false;
  if (!sink.Flush()) {
    *error = sink.error();
    return false;
  }
  if (::fsync(fd) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace gannet
