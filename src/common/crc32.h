// The CRC-32 of zlib and gzip (reflected, polynomial 0x04C11DB7), which
// DynamoDB sends as the x-amz-crc32 header of every response.
#pragma once

#include <cstdint>
#include <string_view>

namespace basalt {

uint32_t Crc32(std::string_view data);

}  // namespace basalt
