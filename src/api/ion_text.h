// Amazon Ion text for exports in ION format, as AWS writes them: one line
// per item, `$ion_1_0 {Item:{...}}`, with S as strings, N as decimals
// (`103.`, `1.5d-3`), B as blobs ({{base64}}), BOOL, NULL as null, SS/NS/BS
// as lists annotated $dynamodb_SS::, $dynamodb_NS::, $dynamodb_BS::, L as
// lists and M as structs.
#pragma once

#include <string>

#include "model/attribute_value.h"

namespace basalt::api {

std::string IonItemLine(const model::Item& item);

}  // namespace basalt::api
