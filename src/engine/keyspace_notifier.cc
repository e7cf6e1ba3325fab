// Keyspace notifications (see keyspace_notifier.h): the notify-keyspace-events flag string
// and the listener that turns Keyspace::NotifyEvent calls into pub/sub messages.
#include "gannet/engine/keyspace_notifier.h"

#include <charconv>

#include "gannet/common/config.h"
#include "gannet/engine/pubsub.h"

namespace gannet {

namespace {

// The class letters in the order Redis prints them when not every class of "A" is on.
struct FlagLetter {
  char letter;
  uint32_t bit;
};
constexpr FlagLetter kClassLetters[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZSet},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNewKey},
};

void AppendDb(std::string& out, int db) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), db);
  (void)ec;  // an int always fits in 16 characters
  out.append(buf, end);
}

}  // namespace

std::optional<uint32_t> ParseNotifyKeyspaceEvents(std::string_view flags) {
  uint32_t bits = 0;
  for (char c : flags) {
    switch (c) {
      case 'A':
        bits |= kNotifyAllClasses;
        break;
      case 'K':
        bits |= kNotifyKeyspaceChannel;
        break;
      case 'E':
        bits |= kNotifyKeyeventChannel;
        break;
      case 'm':
        bits |= kNotifyKeyMiss;
        break;
      default: {
        bool found = false;
        for (const FlagLetter& f : kClassLetters) {
          if (f.letter == c) {
            bits |= f.bit;
            found = true;
            break;
          }
        }
        if (!found) return std::nullopt;
      }
    }
  }
  return bits;
}

std::string FormatNotifyKeyspaceEvents(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAllClasses) == kNotifyAllClasses) {
    out += 'A';
  } else {
    for (const FlagLetter& f : kClassLetters) {
      if (flags & f.bit) out += f.letter;
    }
  }
  if (flags & kNotifyKeyspaceChannel) out += 'K';
  if (flags & kNotifyKeyeventChannel) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

KeyspaceNotifier::KeyspaceNotifier(Keyspace& keyspace, PubSub& pubsub, const Config& config)
    : keyspace_(keyspace), pubsub_(pubsub), config_(config) {
  keyspace_.AddListener(this);
  // Only events, and only the classes notify-keyspace-events enables, which the keyspace
  // reads from the config itself: with the default "" a write's notification is one test.
  keyspace_.SetKeyInterest(this, false);
  keyspace_.SetEventClasses(this, 0);
  keyspace_.set_notify_classes(&config_.notify_keyspace_events);
}

KeyspaceNotifier::~KeyspaceNotifier() {
  keyspace_.set_notify_classes(nullptr);
  keyspace_.RemoveListener(this);
}

void KeyspaceNotifier::OnKeyEvent(NotifyClass cls, std::string_view event, int db,
                                  std::string_view key) {
  const uint32_t flags = config_.notify_keyspace_events;
  if (!(flags & cls)) return;
  // Nobody could receive it: skip building the channel names.
  if (pubsub_.no_global_listeners()) return;
  if (flags & kNotifyKeyspaceChannel) {
    channel_.assign("__keyspace@");
    AppendDb(channel_, db);
    channel_.append("__:");
    channel_.append(key);
    pubsub_.Publish(channel_, event);
    ++published_;
  }
  if (flags & kNotifyKeyeventChannel) {
    channel_.assign("__keyevent@");
    AppendDb(channel_, db);
    channel_.append("__:");
    channel_.append(event);
    pubsub_.Publish(channel_, key);
    ++published_;
  }
}

}  // namespace gannet
