// Umbrella header: the interface, every implementation and the family type lists.
#pragma once

#include "contend/concepts.hpp"
#include "contend/families.hpp"
#include "contend/racy_counter.hpp"
