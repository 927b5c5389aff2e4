// Files of exports and imports in the directory that stands for S3:
// reading and writing whole objects, gzip, MD5 (as S3 ETags and the
// manifests' checksums), listing the objects under a key prefix, and the
// timestamps and names AWS's export layout uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace basalt::api {

// Writes `data` to `path`, creating its directories; the file appears
// whole (written to a temporary name, then renamed).
Status WriteObject(const std::string& path, std::string_view data);
Result<std::string> ReadObject(const std::string& path);
bool DirectoryExists(const std::string& path);
// The keys (paths relative to `bucket_dir`, '/'-separated, sorted) of the
// regular files under it that start with `prefix`, as S3 lists a prefix.
std::vector<std::string> ListObjects(const std::string& bucket_dir, const std::string& prefix);

std::string Gzip(std::string_view data);
Result<std::string> Gunzip(std::string_view data);  // concatenated members too
Result<std::string> Unzstd(std::string_view data);  // concatenated frames too

std::string Md5(std::string_view data);  // the 16 raw bytes
std::string Hex(std::string_view bytes);

// "2020-11-04T07:28:34.028Z"
std::string IsoTime(double epoch_seconds);
// A random name of `n` lowercase letters and digits (AWS's data file names).
std::string RandomName(size_t n);
// "<14-digit epoch ms>-<8 hex>", the id in export and import ARNs.
std::string TransferId(double now);

}  // namespace basalt::api
