// The geo commands, built on sorted sets as Redis builds them: a member's score is its
// 52-bit interleaved geohash (26 bits of latitude in the even bits, 26 of longitude in the
// odd bits, over -180..180 and -85.05112878..85.05112878). Searches cover the centre
// geohash box and its 8 neighbours at a step chosen from the radius, read each box as a
// score range and filter by haversine distance (earth radius 6372797.560856 m). Every
// number, step rule and reply format matches Redis 7.0 so results are identical for the
// same inputs: GEOPOS prints coordinates as "%.17Lf" without trailing zeros, distances as
// "%.4f".
//
// GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE, GEORADIUS[_RO] and
// GEORADIUSBYMEMBER[_RO].
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arg_parser.h"
#include "blocking.h"
#include "error_text.h"
#include "gannet/commands/command_table.h"
#include "gannet/common/numbers.h"
#include "gannet/engine/zset_object.h"

namespace gannet {

namespace {

// ---------------------------------------------------------------------------------------
// Geohash

constexpr double kLongMin = -180;
constexpr double kLongMax = 180;
constexpr double kLatMin = -85.05112878;
constexpr double kLatMax = 85.05112878;
constexpr int kStepMax = 26;
constexpr double kEarthRadius = 6372797.560856;
constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = M_PI / 180.0;

struct Range {
  double min, max;
};
struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool zero() const { return bits == 0 && step == 0; }
};
struct Area {
  Range lon, lat;
};

uint64_t Interleave64(uint32_t xlo, uint32_t ylo) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                   0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                   0x0000FFFF0000FFFFULL};
  static constexpr unsigned S[] = {1, 2, 4, 8, 16};
  uint64_t x = xlo;
  uint64_t y = ylo;
  for (int i = 4; i >= 0; --i) {
    x = (x | (x << S[i])) & B[i];
    y = (y | (y << S[i])) & B[i];
  }
  return x | (y << 1);
}

uint64_t Deinterleave64(uint64_t interleaved) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                   0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                   0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL};
  static constexpr unsigned S[] = {0, 1, 2, 4, 8, 16};
  uint64_t x = interleaved;
  uint64_t y = interleaved >> 1;
  for (int i = 0; i < 6; ++i) {
    x = (x | (x >> S[i])) & B[i];
    y = (y | (y >> S[i])) & B[i];
  }
  return x | (y << 32);
}

bool Encode(const Range& lon_r, const Range& lat_r, double lon, double lat, uint8_t step,
            HashBits* h) {
  if (lon > kLongMax || lon < kLongMin || lat > kLatMax || lat < kLatMin) return false;
  h->bits = 0;
  h->step = step;
  if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
  double lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min);
  double lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min);
  lat_off *= static_cast<double>(1ULL << step);
  lon_off *= static_cast<double>(1ULL << step);
  h->bits = Interleave64(static_cast<uint32_t>(lat_off), static_cast<uint32_t>(lon_off));
  return true;
}

constexpr Range kLonRange{kLongMin, kLongMax};
constexpr Range kLatRange{kLatMin, kLatMax};

Area Decode(const Range& lon_r, const Range& lat_r, HashBits h) {
  const uint64_t sep = Deinterleave64(h.bits);
  const double lat_scale = lat_r.max - lat_r.min;
  const double lon_scale = lon_r.max - lon_r.min;
  const auto ilat = static_cast<uint32_t>(sep);
  const auto ilon = static_cast<uint32_t>(sep >> 32);
  const auto div = static_cast<double>(1ULL << h.step);
  Area a;
  a.lat.min = lat_r.min + (ilat * 1.0 / div) * lat_scale;
  a.lat.max = lat_r.min + ((ilat + 1) * 1.0 / div) * lat_scale;
  a.lon.min = lon_r.min + (ilon * 1.0 / div) * lon_scale;
  a.lon.max = lon_r.min + ((ilon + 1) * 1.0 / div) * lon_scale;
  return a;
}

// The hash bits of any score, as Redis gets them: its `(uint64_t)score` compiled for x86-64
// (the cvttsd2si sequence), which sorted sets of non-geo scores reach through GEOPOS,
// GEOHASH, GEODIST and FROMMEMBER. In C and C++ that cast is undefined outside [0, 2^64):
// negative scores, infinities and scores from 2^64 up all give values Redis users see.
uint64_t ScoreBits(double score) {
  constexpr double k2Pow63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;  // cvttsd2si's out-of-range result
  const auto truncate = [&](double d) {
    return d >= -k2Pow63 && d < k2Pow63 ? static_cast<uint64_t>(static_cast<int64_t>(d))
                                        : kIndefinite;
  };
  return score < k2Pow63 ? truncate(score) : truncate(score - k2Pow63) ^ kIndefinite;
}

// The centre of a score's box, clamped to the valid range: what GEOPOS reports.
std::pair<double, double> DecodeScore(double score) {
  HashBits h{ScoreBits(score), kStepMax};
  const Area a = Decode(kLonRange, kLatRange, h);
  double lon = (a.lon.min + a.lon.max) / 2;
  lon = std::clamp(lon, kLongMin, kLongMax);
  double lat = (a.lat.min + a.lat.max) / 2;
  lat = std::clamp(lat, kLatMin, kLatMax);
  return {lon, lat};
}

uint64_t Align52(HashBits h) { return h.bits << (52 - h.step * 2); }

void MoveX(HashBits* h, int d) {
  if (d == 0) return;
  uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  const uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0x5555555555555555ULL >> (64 - h->step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2));
  h->bits = x | y;
}

void MoveY(HashBits* h, int d) {
  if (d == 0) return;
  const uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ULL >> (64 - h->step * 2));
  h->bits = x | y;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadius * std::fabs(lat2 * kDegToRad - lat1 * kDegToRad);
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = lon1 * kDegToRad;
  const double lon2r = lon2 * kDegToRad;
  const double v = std::sin((lon2r - lon1r) / 2);
  // Same longitude: the cheaper latitude distance, as Redis does.
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = lat1 * kDegToRad;
  const double lat2r = lat2 * kDegToRad;
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadius * std::asin(std::sqrt(a));
}

// A search shape: a circle of radius or a width x height box, in metres after conversion.
struct Shape {
  bool box = false;
  double lon = 0, lat = 0;
  double radius = 0;
  double width = 0, height = 0;
  double conversion = 1;  // metres per unit
};

uint8_t EstimateSteps(double range, double lat) {
  if (range == 0) return 26;
  int step = 1;
  while (range < kMercatorMax) {
    range *= 2;
    ++step;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    --step;
    if (lat > 80 || lat < -80) --step;
  }
  return static_cast<uint8_t>(std::clamp(step, 1, 26));
}

// The 9 boxes to read: centre, N, S, E, W, NE, NW, SE, SW (zero = skipped).
std::vector<HashBits> SearchBoxes(const Shape& s) {
  const double h = s.conversion * (s.box ? s.height / 2 : s.radius);
  const double w = s.conversion * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = h / kEarthRadius / kDegToRad;
  const double lon_top = w / kEarthRadius / std::cos((s.lat + lat_delta) * kDegToRad) / kDegToRad;
  const double lon_bottom =
      w / kEarthRadius / std::cos((s.lat - lat_delta) * kDegToRad) / kDegToRad;
  const bool south = s.lat < 0;
  const double min_lon = south ? s.lon - lon_bottom : s.lon - lon_top;
  const double max_lon = south ? s.lon + lon_bottom : s.lon + lon_top;
  const double min_lat = s.lat - lat_delta;
  const double max_lat = s.lat + lat_delta;

  double radius_m =
      s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_m *= s.conversion;
  int steps = EstimateSteps(radius_m, s.lat);

  HashBits hash;
  HashBits n[8];  // north, south, east, west, north_east, north_west, south_east, south_west
  Area area;
  auto compute = [&] {
    Encode(kLonRange, kLatRange, s.lon, s.lat, static_cast<uint8_t>(steps), &hash);
    for (auto& x : n) x = hash;
    MoveX(&n[2], 1);
    MoveX(&n[3], -1);
    MoveY(&n[1], -1);
    MoveY(&n[0], 1);
    MoveX(&n[5], -1);
    MoveY(&n[5], 1);
    MoveX(&n[7], -1);
    MoveY(&n[7], -1);
    MoveX(&n[4], 1);
    MoveY(&n[4], 1);
    MoveX(&n[6], 1);
    MoveY(&n[6], -1);
    area = Decode(kLonRange, kLatRange, hash);
  };
  compute();
  const Area north = Decode(kLonRange, kLatRange, n[0]);
  const Area south_a = Decode(kLonRange, kLatRange, n[1]);
  const Area east = Decode(kLonRange, kLatRange, n[2]);
  const Area west = Decode(kLonRange, kLatRange, n[3]);
  const bool decrease = north.lat.max < max_lat || south_a.lat.min > min_lat ||
                        east.lon.max < max_lon || west.lon.min > min_lon;
  if (steps > 1 && decrease) {
    --steps;
    compute();
  }
  if (steps >= 2) {
    if (area.lat.min < min_lat) n[1] = n[7] = n[6] = HashBits{};
    if (area.lat.max > max_lat) n[0] = n[4] = n[5] = HashBits{};
    if (area.lon.min < min_lon) n[3] = n[7] = n[5] = HashBits{};
    if (area.lon.max > max_lon) n[2] = n[6] = n[4] = HashBits{};
  }
  return {hash, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]};
}

struct GeoPoint {
  double lon, lat, dist, score;
  std::string member;
};

// Distance from the shape's centre when (lon, lat) lies inside the shape.
std::optional<double> InShape(const Shape& s, double lon, double lat) {
  if (!s.box) {
    const double d = Distance(s.lon, s.lat, lon, lat);
    if (d > s.radius * s.conversion) return std::nullopt;
    return d;
  }
  const double w = s.width * s.conversion;
  const double h = s.height * s.conversion;
  if (LatDistance(lat, s.lat) > h / 2) return std::nullopt;
  if (Distance(lon, lat, s.lon, lat) > w / 2) return std::nullopt;
  return Distance(s.lon, s.lat, lon, lat);
}

// Every member inside the shape, box by box (ascending score inside a box); stops once
// `limit` points were found when limit > 0 (ANY).
std::vector<GeoPoint> Search(const ZSetObject& z, const Shape& s, size_t limit) {
  std::vector<GeoPoint> out;
  const std::vector<HashBits> boxes = SearchBoxes(s);
  int last = -1;
  for (size_t i = 0; i < boxes.size(); ++i) {
    const HashBits& b = boxes[i];
    if (b.zero()) continue;
    // Huge radii can make neighbours coincide: skip a box equal to the previous one read.
    if (last > 0 && b.bits == boxes[last].bits && b.step == boxes[last].step) continue;
    if (!out.empty() && limit > 0 && out.size() >= limit) break;
    HashBits next = b;
    ++next.bits;
    ZScoreRange r{static_cast<double>(Align52(b)), static_cast<double>(Align52(next)), false, true};
    auto [lo, hi] = z.ScoreRangeRanks(r);
    bool stop = false;
    z.ForEachInRanks(lo, hi, false, [&](std::string_view m, double score) {
      if (stop) return;
      auto [lon, lat] = DecodeScore(score);
      auto d = InShape(s, lon, lat);
      if (!d) return;
      out.push_back({lon, lat, *d, score, std::string(m)});
      if (limit > 0 && out.size() >= limit) stop = true;
    });
    last = static_cast<int>(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Replies and argument helpers

// Redis's addReplyHumanLongDouble: "%.17Lf" without trailing zeros; a RESP3 double.
void SendCoord(ReplyBuilder& rb, double v) {
  const std::string text = FormatLongDouble(static_cast<long double>(v));
  if (rb.resp3()) {
    rb.SendRaw("," + text + "\r\n");
  } else {
    rb.SendBulk(text);
  }
}

void SendDistance(ReplyBuilder& rb, double d) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof(buf), "%.4f", d);
  rb.SendBulk(std::string_view(buf, static_cast<size_t>(n)));
}

std::optional<double> UnitToMeters(std::string_view u) {
  if (EqualsNoCase(u, "m")) return 1;
  if (EqualsNoCase(u, "km")) return 1000;
  if (EqualsNoCase(u, "ft")) return 0.3048;
  if (EqualsNoCase(u, "mi")) return 1609.34;
  return std::nullopt;
}

constexpr std::string_view kUnitErr = "ERR unsupported unit provided. please use M, KM, FT, MI";
constexpr std::string_view kMemberErr = "ERR could not decode requested zset member";

// Parses "lon lat" with the range check; sends the error and returns false on failure.
bool ParseLonLat(std::string_view a, std::string_view b, double* lon, double* lat,
                 ReplyBuilder& rb) {
  auto x = ParseDouble(a);
  if (!x) {
    rb.SendError(kNotFloatErr);
    return false;
  }
  auto y = ParseDouble(b);
  if (!y) {
    rb.SendError(kNotFloatErr);
    return false;
  }
  if (*x < kLongMin || *x > kLongMax || *y < kLatMin || *y > kLatMax) {
    char buf[256];
    const int n =
        std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *x, *y);
    rb.SendError(std::string_view(buf, static_cast<size_t>(std::min<int>(n, sizeof(buf) - 1))));
    return false;
  }
  *lon = *x;
  *lat = *y;
  return true;
}

bool ParseRadius(std::string_view r, std::string_view unit, Shape* s, ReplyBuilder& rb) {
  auto d = ParseDouble(r);
  if (!d) {
    rb.SendError("ERR need numeric radius");
    return false;
  }
  if (*d < 0) {
    rb.SendError("ERR radius cannot be negative");
    return false;
  }
  auto conv = UnitToMeters(unit);
  if (!conv) {
    rb.SendError(kUnitErr);
    return false;
  }
  s->box = false;
  s->radius = *d;
  s->conversion = *conv;
  return true;
}

bool ParseBox(CmdArgs args, size_t at, Shape* s, ReplyBuilder& rb) {
  auto w = ParseDouble(args[at]);
  if (!w) {
    rb.SendError("ERR need numeric width");
    return false;
  }
  auto h = ParseDouble(args[at + 1]);
  if (!h) {
    rb.SendError("ERR need numeric height");
    return false;
  }
  if (*w < 0 || *h < 0) {
    rb.SendError("ERR height or width cannot be negative");
    return false;
  }
  auto conv = UnitToMeters(args[at + 2]);
  if (!conv) {
    rb.SendError(kUnitErr);
    return false;
  }
  s->box = true;
  s->width = *w;
  s->height = *h;
  s->conversion = *conv;
  return true;
}

Result<const ZSetObject*> FindZ(Database& db, std::string_view key) {
  const Entry* e = db.FindRead(key);
  if (e == nullptr) return static_cast<const ZSetObject*>(nullptr);
  if (e->value.type() != ValueType::kZSet) return OpStatus::kWrongType;
  return e->value.As<ZSetObject>();
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------------------
// Commands

void CmdGeoAdd(CmdArgs args, CommandContext& ctx) {
  bool nx = false;
  bool xx = false;
  bool ch = false;
  size_t i = 2;
  for (; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "NX")) {
      nx = true;
    } else if (EqualsNoCase(args[i], "XX")) {
      xx = true;
    } else if (EqualsNoCase(args[i], "CH")) {
      ch = true;
    } else {
      break;
    }
  }
  if ((args.size() - i) % 3 != 0 || (xx && nx) || i == args.size()) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  std::vector<std::pair<double, std::string_view>> pairs;
  for (size_t j = i; j < args.size(); j += 3) {
    double lon = 0;
    double lat = 0;
    if (!ParseLonLat(args[j], args[j + 1], &lon, &lat, ctx.reply)) return;
    HashBits h;
    Encode(kLonRange, kLatRange, lon, lat, kStepMax, &h);
    pairs.emplace_back(static_cast<double>(Align52(h)), args[j + 2]);
  }
  Database& db = ctx.db();
  Entry* e = db.FindWrite(args[1]);
  if (e != nullptr && e->value.type() != ValueType::kZSet) {
    return ctx.reply.SendError(kWrongTypeErr);
  }
  const Config& c = ctx.config();
  const ZSetObject::Limits limits{
      static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
      static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
  if (e == nullptr) {
    if (xx) return ctx.reply.SendLong(0);
    e = db.Insert(args[1], Value::Object(ZSetObject(limits, pairs.front().second.size())));
    ctx.Notify(kNotifyNewKey, "new", args[1]);
  }
  auto* z = e->value.As<ZSetObject>();
  const int flags = (nx ? ZSetObject::kNx : 0) | (xx ? ZSetObject::kXx : 0);
  int64_t added = 0;
  int64_t updated = 0;
  for (const auto& [score, member] : pairs) {
    auto r = z->Add(member, score, flags, limits);
    if (r.outcome == ZSetObject::AddOutcome::kAdded) ++added;
    if (r.outcome == ZSetObject::AddOutcome::kUpdated) ++updated;
  }
  // GEOADD is Redis's ZADD underneath: its event and change count.
  if (added + updated > 0) {
    ctx.KeyChanged(kNotifyZSet, "zadd", args[1], static_cast<uint64_t>(added + updated));
  }
  if (z->empty()) {
    db.Delete(e);
  } else {
    e->value.set_encoding(z->encoding());
  }
  if (added > 0) SignalKeyReady(ctx, args[1]);
  // Redis runs GEOADD as "zadd key [options] score member ...", and that is what the AOF
  // records (the name in lower case, the options as given, the scores as integers).
  if (ctx.propagating && added + updated > 0) {
    std::vector<std::string> cmd{"zadd"};
    cmd.insert(cmd.end(), args.begin() + 1, args.begin() + static_cast<std::ptrdiff_t>(i));
    for (const auto& [score, member] : pairs) {
      cmd.push_back(std::to_string(static_cast<int64_t>(score)));
      cmd.emplace_back(member);
    }
    ctx.PropagateAs(std::move(cmd));
  }
  ctx.reply.SendLong(ch ? added + updated : added);
}

void CmdGeoPos(CmdArgs args, CommandContext& ctx) {
  auto z = FindZ(ctx.db(), args[1]);
  if (!z.ok()) return SendStatusError(ctx.reply, z.status());
  ctx.reply.SendArrayLen(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    std::optional<double> score;
    if (*z != nullptr) score = (*z)->Score(args[i]);
    if (!score) {
      ctx.reply.SendNullArray();
      continue;
    }
    auto [lon, lat] = DecodeScore(*score);
    ctx.reply.SendArrayLen(2);
    SendCoord(ctx.reply, lon);
    SendCoord(ctx.reply, lat);
  }
}

void CmdGeoDist(CmdArgs args, CommandContext& ctx) {
  double to_meter = 1;
  if (args.size() == 5) {
    auto c = UnitToMeters(args[4]);
    if (!c) return ctx.reply.SendError(kUnitErr);
    to_meter = *c;
  } else if (args.size() > 5) {
    return ctx.reply.SendError(kSyntaxErr);
  }
  auto z = FindZ(ctx.db(), args[1]);
  if (!z.ok()) return SendStatusError(ctx.reply, z.status());
  if (*z == nullptr) return ctx.reply.SendNull();
  auto s1 = (*z)->Score(args[2]);
  auto s2 = (*z)->Score(args[3]);
  if (!s1 || !s2) return ctx.reply.SendNull();
  auto [lon1, lat1] = DecodeScore(*s1);
  auto [lon2, lat2] = DecodeScore(*s2);
  SendDistance(ctx.reply, Distance(lon1, lat1, lon2, lat2) / to_meter);
}

void CmdGeoHash(CmdArgs args, CommandContext& ctx) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  auto z = FindZ(ctx.db(), args[1]);
  if (!z.ok()) return SendStatusError(ctx.reply, z.status());
  ctx.reply.SendArrayLen(args.size() - 2);
  for (size_t i = 2; i < args.size(); ++i) {
    std::optional<double> score;
    if (*z != nullptr) score = (*z)->Score(args[i]);
    if (!score) {
      ctx.reply.SendNull();
      continue;
    }
    // Re-encoded over the standard -90..90 latitude range, as geohash.org expects.
    auto [lon, lat] = DecodeScore(*score);
    HashBits h;
    Encode(Range{-180, 180}, Range{-90, 90}, lon, lat, kStepMax, &h);
    char buf[11];
    for (int k = 0; k < 11; ++k) {
      const uint64_t idx = k == 10 ? 0 : (h.bits >> (52 - ((k + 1) * 5))) & 0x1f;
      buf[k] = kAlphabet[idx];
    }
    ctx.reply.SendBulk(std::string_view(buf, 11));
  }
}

enum GeoFlags : int {
  kCoords = 1,  // GEORADIUS: lon lat radius unit
  kMember = 2,  // GEORADIUSBYMEMBER: member radius unit
  kSearch = 4,  // GEOSEARCH
  kSearchStore = 8,
  kNoStore = 16,  // the _RO forms
};

void GeoSearchGeneric(CmdArgs args, CommandContext& ctx, int flags) {
  Database& db = ctx.db();
  size_t src_idx = (flags & kSearchStore) ? 2 : 1;
  auto found = FindZ(db, args[src_idx]);
  if (!found.ok()) return SendStatusError(ctx.reply, found.status());
  const ZSetObject* z = *found;
  const std::string lower_name(ctx.spec != nullptr ? ctx.spec->name : args[0]);
  const std::string cmd_name = Upper(lower_name);

  Shape shape;
  size_t base = 0;
  if (flags & kCoords) {
    base = 6;
    if (!ParseLonLat(args[2], args[3], &shape.lon, &shape.lat, ctx.reply)) return;
    if (!ParseRadius(args[4], args[5], &shape, ctx.reply)) return;
  } else if ((flags & kMember) && z == nullptr) {
    base = 5;
  } else if (flags & kMember) {
    base = 5;
    auto s = z->Score(args[2]);
    if (!s) return ctx.reply.SendError(kMemberErr);
    std::tie(shape.lon, shape.lat) = DecodeScore(*s);
    if (!ParseRadius(args[3], args[4], &shape, ctx.reply)) return;
  } else {
    base = (flags & kSearchStore) ? 3 : 2;
  }

  bool withdist = false, withhash = false, withcoord = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  int sort = 0;  // 0 none, 1 asc, 2 desc
  bool any = false;
  int64_t count = 0;
  std::optional<std::string_view> storekey;
  bool storedist = false;
  const size_t remaining = args.size() - base;
  for (size_t i = 0; i < remaining; ++i) {
    const std::string_view a = args[base + i];
    if (EqualsNoCase(a, "WITHDIST")) {
      withdist = true;
    } else if (EqualsNoCase(a, "WITHHASH")) {
      withhash = true;
    } else if (EqualsNoCase(a, "WITHCOORD")) {
      withcoord = true;
    } else if (EqualsNoCase(a, "ANY")) {
      any = true;
    } else if (EqualsNoCase(a, "ASC")) {
      sort = 1;
    } else if (EqualsNoCase(a, "DESC")) {
      sort = 2;
    } else if (EqualsNoCase(a, "COUNT") && i + 1 < remaining) {
      auto c = ParseInt64(args[base + i + 1]);
      if (!c) return ctx.reply.SendError(kNotIntegerErr);
      if (*c <= 0) return ctx.reply.SendError("ERR COUNT must be > 0");
      count = *c;
      ++i;
    } else if (EqualsNoCase(a, "STORE") && i + 1 < remaining && !(flags & kNoStore) &&
               !(flags & kSearch)) {
      storekey = args[base + i + 1];
      storedist = false;
      ++i;
    } else if (EqualsNoCase(a, "STOREDIST") && i + 1 < remaining && !(flags & kNoStore) &&
               !(flags & kSearch)) {
      storekey = args[base + i + 1];
      storedist = true;
      ++i;
    } else if (EqualsNoCase(a, "STOREDIST") && (flags & kSearch) && (flags & kSearchStore)) {
      storedist = true;
    } else if (EqualsNoCase(a, "FROMMEMBER") && i + 1 < remaining && (flags & kSearch) &&
               !fromloc) {
      if (z != nullptr) {
        auto s = z->Score(args[base + i + 1]);
        if (!s) return ctx.reply.SendError(kMemberErr);
        std::tie(shape.lon, shape.lat) = DecodeScore(*s);
      }
      frommember = true;
      ++i;
    } else if (EqualsNoCase(a, "FROMLONLAT") && i + 2 < remaining && (flags & kSearch) &&
               !frommember) {
      if (!ParseLonLat(args[base + i + 1], args[base + i + 2], &shape.lon, &shape.lat, ctx.reply)) {
        return;
      }
      fromloc = true;
      i += 2;
    } else if (EqualsNoCase(a, "BYRADIUS") && i + 2 < remaining && (flags & kSearch) && !bybox) {
      if (!ParseRadius(args[base + i + 1], args[base + i + 2], &shape, ctx.reply)) return;
      byradius = true;
      i += 2;
    } else if (EqualsNoCase(a, "BYBOX") && i + 3 < remaining && (flags & kSearch) && !byradius) {
      if (!ParseBox(args, base + i + 1, &shape, ctx.reply)) return;
      bybox = true;
      i += 3;
    } else {
      return ctx.reply.SendError(kSyntaxErr);
    }
  }
  if (flags & kSearchStore) storekey = args[1];

  if (storekey && !(flags & kSearchStore) && (withdist || withhash || withcoord)) {
    return ctx.reply.SendError("ERR STORE option in " + cmd_name +
                               " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if ((flags & kSearchStore) && (withdist || withhash || withcoord)) {
    return ctx.reply.SendError(
        "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  }
  if ((flags & kSearch) && !(frommember || fromloc)) {
    return ctx.reply.SendError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                               lower_name);
  }
  if ((flags & kSearch) && !(byradius || bybox)) {
    return ctx.reply.SendError("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                               lower_name);
  }
  if (any && count == 0) return ctx.reply.SendError("ERR the ANY argument requires COUNT argument");

  if (z == nullptr) {
    if (storekey) {
      if (db.Delete(*storekey)) ctx.KeyChanged(kNotifyGeneric, "del", *storekey);
      return ctx.reply.SendLong(0);
    }
    return ctx.reply.SendEmptyArray();
  }
  if (count != 0 && sort == 0 && !any) sort = 1;

  std::vector<GeoPoint> points = Search(*z, shape, any ? static_cast<size_t>(count) : 0);
  if (points.empty() && !storekey) return ctx.reply.SendEmptyArray();
  const size_t returned =
      count == 0 ? points.size() : std::min(points.size(), static_cast<size_t>(count));
  if (sort == 1) {
    std::stable_sort(points.begin(), points.end(),
                     [](const GeoPoint& a, const GeoPoint& b) { return a.dist < b.dist; });
  } else if (sort == 2) {
    std::stable_sort(points.begin(), points.end(),
                     [](const GeoPoint& a, const GeoPoint& b) { return a.dist > b.dist; });
  }

  if (!storekey) {
    const size_t opts = (withdist ? 1 : 0) + (withhash ? 1 : 0) + (withcoord ? 1 : 0);
    ctx.reply.SendArrayLen(returned);
    for (size_t i = 0; i < returned; ++i) {
      const GeoPoint& p = points[i];
      if (opts > 0) ctx.reply.SendArrayLen(opts + 1);
      ctx.reply.SendBulk(p.member);
      if (withdist) SendDistance(ctx.reply, p.dist / shape.conversion);
      if (withhash) ctx.reply.SendLong(static_cast<int64_t>(p.score));
      if (withcoord) {
        ctx.reply.SendArrayLen(2);
        SendCoord(ctx.reply, p.lon);
        SendCoord(ctx.reply, p.lat);
      }
    }
    return;
  }
  const Config& c = ctx.config();
  const ZSetObject::Limits limits{
      static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
      static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
  if (returned == 0) {
    if (db.Delete(*storekey)) ctx.KeyChanged(kNotifyGeneric, "del", *storekey);
    return ctx.reply.SendLong(0);
  }
  auto out = std::make_unique<ZSetObject>(/*big=*/true);
  for (size_t i = 0; i < returned; ++i) {
    const GeoPoint& p = points[i];
    out->Insert(p.member, storedist ? p.dist / shape.conversion : p.score, limits);
  }
  out->ShrinkIfFits(limits);
  const std::string dst(*storekey);
  const bool existed = db.Delete(dst);
  db.Insert(dst, Value::Object(std::move(*out)));
  // One change per member stored, as Redis counts.
  if (!existed) ctx.Notify(kNotifyNewKey, "new", dst);
  ctx.KeyChanged(kNotifyZSet, (flags & kSearch) ? "geosearchstore" : "georadiusstore", dst,
                 returned);
  // GEORADIUS ... STORE's destination lies outside the row's key range: signal it here.
  SignalKeyReady(ctx, dst);
  ctx.reply.SendLong(static_cast<int64_t>(returned));
}

void CmdGeoRadius(CmdArgs a, CommandContext& c) { GeoSearchGeneric(a, c, kCoords); }
void CmdGeoRadiusRo(CmdArgs a, CommandContext& c) { GeoSearchGeneric(a, c, kCoords | kNoStore); }
void CmdGeoRadiusByMember(CmdArgs a, CommandContext& c) { GeoSearchGeneric(a, c, kMember); }
void CmdGeoRadiusByMemberRo(CmdArgs a, CommandContext& c) {
  GeoSearchGeneric(a, c, kMember | kNoStore);
}
void CmdGeoSearch(CmdArgs a, CommandContext& c) { GeoSearchGeneric(a, c, kSearch); }
void CmdGeoSearchStore(CmdArgs a, CommandContext& c) {
  GeoSearchGeneric(a, c, kSearch | kSearchStore);
}

}  // namespace

// Registration: arity, flags, key positions and categories as redis-server 7.0 reports
// them in COMMAND INFO.
void RegisterGeoFamily(CommandTable& t) {
  constexpr uint32_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kR = kCmdReadOnly;
  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first, last;
    CommandHandler handler;
    std::string_view summary;
    std::string_view since;
    std::string_view complexity;
  };
  const Row rows[] = {
      {"geoadd", -5, kWD, 1, 1, CmdGeoAdd, "Adds members with coordinates to a geospatial index.",
       "3.2.0", "O(log(N)) for each item added"},
      {"geodist", -4, kR, 1, 1, CmdGeoDist, "Returns the distance between two members.", "3.2.0",
       "O(1)"},
      {"geohash", -2, kR, 1, 1, CmdGeoHash, "Returns members as geohash strings.", "3.2.0",
       "O(1) for each member requested"},
      {"geopos", -2, kR, 1, 1, CmdGeoPos, "Returns the coordinates of members.", "3.2.0",
       "O(1) for each member requested"},
      {"georadius", -6, kWD | kCmdMovableKeys, 1, 1, CmdGeoRadius,
       "Queries members within a radius of a point, optionally storing the result.", "3.2.0",
       "O(N+log(M))"},
      {"georadius_ro", -6, kR, 1, 1, CmdGeoRadiusRo, "Queries members within a radius of a point.",
       "3.2.10", "O(N+log(M))"},
      {"georadiusbymember", -5, kWD | kCmdMovableKeys, 1, 1, CmdGeoRadiusByMember,
       "Queries members within a radius of a member, optionally storing the result.", "3.2.0",
       "O(N+log(M))"},
      {"georadiusbymember_ro", -5, kR, 1, 1, CmdGeoRadiusByMemberRo,
       "Queries members within a radius of a member.", "3.2.10", "O(N+log(M))"},
      {"geosearch", -7, kR, 1, 1, CmdGeoSearch, "Queries members inside a circle or a box.",
       "6.2.0", "O(N+log(M))"},
      {"geosearchstore", -8, kWD, 1, 2, CmdGeoSearchStore,
       "Stores members inside a circle or a box in a key.", "6.2.0", "O(N+log(M))"},
  };
  for (const Row& r : rows) {
    t.Register({.name = r.name,
                .arity = r.arity,
                .flags = r.flags,
                .first_key = r.first,
                .last_key = r.last,
                .step = 1,
                .acl_categories = kAclGeo,
                .handler = r.handler,
                .doc = {r.summary, r.since, "geo", r.complexity}});
  }
}

}  // namespace gannet
