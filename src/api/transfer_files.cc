#include "api/transfer_files.h"

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/random.h"

namespace basalt::api {

namespace fs = std::filesystem;

Status WriteObject(const std::string& path, std::string_view data) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status::IoError("cannot create the directory of " + path + ": " + ec.message());
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

Result<std::string> ReadObject(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool DirectoryExists(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::vector<std::string> ListObjects(const std::string& bucket_dir, const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(bucket_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), bucket_dir, ec).generic_string();
    if (key.starts_with(prefix) && !key.ends_with(".tmp")) out.push_back(std::move(key));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<std::string> Gunzip(std::string_view data) {
  std::string out;
  char buf[1 << 16];
  while (!data.empty()) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::IoError("inflateInit failed");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    }
    size_t used = data.size() - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return Status::IoError("not a complete gzip stream");
    data.remove_prefix(used);  // a further gzip member may follow
  }
  return out;
}

Result<std::string> Unzstd(std::string_view data) {
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> z(ZSTD_createDStream(), ZSTD_freeDStream);
  if (!z) return Status::IoError("ZSTD_createDStream failed");
  ZSTD_initDStream(z.get());
  std::string out;
  char buf[1 << 16];
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf, sizeof buf, 0};
    last = ZSTD_decompressStream(z.get(), &o, &in);
    if (ZSTD_isError(last)) return Status::IoError(std::string("not zstd data: ") + ZSTD_getErrorName(last));
    out.append(buf, o.pos);
  }
  // zstd keeps the last byte of a frame until all of its output is out, so
  // the loop above has flushed everything once the input is consumed.
  if (last != 0) return Status::IoError("truncated zstd data");
  return out;
}

std::string Md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), n);
}

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string IsoTime(double epoch_seconds) {
  auto ms = static_cast<int64_t>(std::floor(epoch_seconds * 1000));
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string RandomName(size_t n) {
  static const char* kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(kChars[RandomBits() % 36]);
  return out;
}

std::string TransferId(double now) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%014llu-%08x", static_cast<unsigned long long>(std::floor(now * 1000)),
                static_cast<unsigned>(RandomBits() & 0xffffffffu));
  return buf;
}

}  // namespace basalt::api
