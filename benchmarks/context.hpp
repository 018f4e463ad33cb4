#pragma once

#include <string>

namespace contend::bench {

// Adds the machine and build context to every result file (benchmark::AddCustomContext):
// CPU model, cores and topology, kernel, compiler and flags, library versions, governor, commit.
// mode is "quick" or "default"; run_ms the length of one run.
void add_machine_context(const std::string& family, const std::string& mode, double run_ms);

}  // namespace contend::bench
