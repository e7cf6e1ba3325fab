// The commands layer's side of pub/sub: the delivery that writes published messages as
// RESP frames to subscribed clients, and the cleanup the dispatcher calls when a client
// disconnects or sends RESET. The registry itself is the engine's PubSub.
#pragma once

#include <memory>

#include "gannet/commands/client_view.h"
#include "gannet/engine/pubsub.h"

namespace gannet {

// Delivers to ClientView subscribers (the handles pubsub_family.cc registers are
// ClientView pointers): each distinct frame is built once as a SharedFrame and handed to
// every receiver with ClientView::PushShared(), then PushDone().
std::unique_ptr<PubSubDelivery> MakeClientPubSubDelivery();

// Unsubscribes client from every channel, pattern and shard channel without replying,
// and zeroes its session counts.
void ForgetPubSubClient(PubSub& pubsub, ClientView& client);

}  // namespace gannet
