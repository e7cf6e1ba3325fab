// Introspection's state lives in the public header (the server reads it for INFO and
// CLIENT PAUSE): include/gannet/commands/introspection.h. The commands are in
// introspection_family.cc, the per-command hook in introspection.cc.
#pragma once

#include "gannet/commands/introspection.h"
