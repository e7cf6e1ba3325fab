// placeholder: being written
#include "gannet/engine/pubsub.h"
