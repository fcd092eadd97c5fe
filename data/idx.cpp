#include "data/idx.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "tensor/creation.h"

namespace htp::data {

std::vector<uint8_t> read_maybe_gzipped(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  HTP_CHECK(in.good(), path, ": cannot open (", std::strerror(errno), ")");
  std::vector<uint8_t> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (raw.size() < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;

  z_stream zs{};
  HTP_CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, path, ": cannot initialise zlib");
  zs.next_in = raw.data();
  zs.avail_in = static_cast<uInt>(raw.size());
  std::vector<uint8_t> out;
  uint8_t chunk[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    status = inflate(&zs, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof chunk - zs.avail_out));
    if (status == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended before the stream did
  }
  const uLong consumed = zs.total_in;
  inflateEnd(&zs);
  HTP_CHECK(status == Z_STREAM_END, path, ": corrupt or truncated gzip data (zlib stopped at compressed byte ", consumed,
            " of ", raw.size(), ")");
  return out;
}

Tensor parse_idx(const std::vector<uint8_t>& bytes, const std::string& name) {
  HTP_CHECK(bytes.size() >= 4, name, ": too short for an IDX header (", bytes.size(), " bytes)");
  HTP_CHECK(bytes[0] == 0 && bytes[1] == 0, name, ": not an IDX file (bytes 0-1 are not zero)");
  HTP_CHECK(bytes[2] == 0x08, name, ": IDX element type 0x", std::hex, int(bytes[2]), std::dec,
            " at byte 2 is not supported (only 0x08, unsigned bytes)");
  const int64_t rank = bytes[3];
  HTP_CHECK(rank >= 1, name, ": IDX rank 0 at byte 3");
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  HTP_CHECK(bytes.size() >= header, name, ": truncated IDX header: ", rank, " dimensions need ", header,
            " bytes, the file has ", bytes.size());
  Shape shape;
  for (int64_t d = 0; d < rank; ++d) {
    const uint8_t* p = &bytes[4 + 4 * static_cast<size_t>(d)];
    shape.push_back((int64_t(p[0]) << 24) | (int64_t(p[1]) << 16) | (int64_t(p[2]) << 8) | int64_t(p[3]));
  }
  const int64_t n = shape_numel(shape);
  HTP_CHECK(static_cast<int64_t>(bytes.size() - header) == n, name, ": shape ", shape_str(shape), " needs ", n,
            " bytes of data after the ", header, "-byte header, found ", bytes.size() - header);
  return from_buffer(bytes.data() + header, shape, DType::u8);
}

Tensor load_idx(const std::string& path) { return parse_idx(read_maybe_gzipped(path), path); }

}  // namespace htp::data
