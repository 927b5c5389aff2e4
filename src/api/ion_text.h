// Amazon Ion text for exports in ION format, as AWS writes them: one line
// per item, `$ion_1_0 {Item:{...}}`, with S as strings, N as decimals
// (`103.`, `1.5d-3`), B as blobs ({{base64}}), BOOL, NULL as null, SS/NS/BS
// as lists annotated $dynamodb_SS::, $dynamodb_NS::, $dynamodb_BS::, L as
// lists and M as structs. An incremental export's line is
// `$ion_1_0 {Metadata:{WriteTimestampMicros:N.},Keys:{...},OldImage:{...},NewImage:{...}}`,
// the DYNAMODB_JSON line's shape with Ion values (the timestamp a decimal, as
// every N).
#pragma once

#include <cstdint>
#include <string>

#include "model/attribute_value.h"

namespace basalt::api {

std::string IonItemLine(const model::Item& item);
// OldImage and NewImage are left out where null.
std::string IonChangeLine(int64_t write_time_us, const model::Item& keys, const model::Item* old_image,
                          const model::Item* new_image);

}  // namespace basalt::api
