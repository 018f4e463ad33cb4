#pragma once

#include <string>

namespace contend::bench {

// Adds the machine and build context to every result file (benchmark::AddCustomContext):
// CPU model, cores and topology, kernel, compiler and flags, library versions, governor, commit.
void add_machine_context(const std::string& family);

}  // namespace contend::bench
