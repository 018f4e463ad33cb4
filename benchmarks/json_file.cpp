#include "json_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace contend::bench {

std::string json_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_fixed(double v, int decimals) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string json_ns_or_null(double ns) { return ns > 0 ? json_fixed(ns, 2) : "null"; }

std::string local_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S%z", &tm);
  return buffer;
}

std::string json_context_object(const std::map<std::string, std::string>& context) {
  std::string out = "{";
  const char* sep = "\n";
  for (const auto& [key, value] : context) {
    out.append(sep).append("    ").append(json_quoted(key)).append(": ").append(json_quoted(value));
    sep = ",\n";
  }
  return out + "\n  }";
}

bool write_file_whole(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  // Built with append: g++ 12's -Wrestrict misfires on `"literal" + std::string` chains.
  std::string name(".");
  name.append(target.filename().string()).append(".tmp");
  const std::filesystem::path tmp = target.parent_path() / name;
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!(f << text) || !f.flush()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

bool json_destination_ok(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(std::filesystem::absolute(path).parent_path(), ec);
}

std::optional<double> parse_number(const std::string& text, double min, double max) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= min && v <= max)) return std::nullopt;
  return v;
}

}  // namespace contend::bench
