// Standard base64 (RFC 4648, with padding), as DynamoDB uses for B values.
#pragma once

#include <string>
#include <string_view>

namespace basalt {

std::string Base64Encode(std::string_view bytes);
// False if `text` is not canonical padded base64.
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace basalt
