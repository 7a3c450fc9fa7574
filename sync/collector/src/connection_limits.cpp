#include "connection_limits.h"

namespace chosa::collector {

bool UnfinishedConnections::Admit(const std::string& address, bool exempt_address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (total_ >= total_limit_) return false;
  size_t& from_address = by_address_[address];
  if (!exempt_address && from_address >= per_address_) {
    if (from_address == 0) by_address_.erase(address);
    return false;
  }
  ++from_address;
  ++total_;
  return true;
}

void UnfinishedConnections::Release(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  if (--it->second == 0) by_address_.erase(it);
  --total_;
}

size_t UnfinishedConnections::total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_;
}

}  // namespace chosa::collector
