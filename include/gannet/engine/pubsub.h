// placeholder: being written (pub/sub registry: channels, patterns, shard channels)
#pragma once

namespace gannet {

class PubSub {
 public:
  PubSub() = default;
};

}  // namespace gannet
