// CUDA indexing kernels (semantics in kernels/index.h), deterministic: no atomics; index_add_ and scatter_add_ add
// duplicates in the CPU's order (kernels/cpu/index.cpp), so integer and floating results equal the CPU's bits.
//
// Index validation: the CPU kernels read every index value before writing anything. Here the index (or the labels)
// is copied to the host and checked there with the CPU's message; that is one synchronising download of k int64s per
// call, acceptable for these ops (the index is small next to the data it moves) and it keeps errors synchronous.
//
// index_select  [outer, n, inner] -> [outer, k, inner], one thread per output element (copies of the element bytes).
// index_add_    the host copy of the index is turned into lists: for every destination row that occurs, the
//               positions i that hit it, in increasing order (a counting sort). One thread per (outer, destination
//               row, inner) element then adds its src rows in that order — the CPU's order — with no two threads
//               writing one element.
// gather        one thread per index element; offsets from the merged strides of (out, index, x with its dim stride
//               zeroed), plus index * x's stride at dim (as on the CPU).
// scatter_add_  one thread per line (an index position with its `dim` coordinate dropped); it walks the line along
//               dim in increasing order — the order of the CPU's row-major loop — so duplicates accumulate in the
//               CPU's order, and lines never write the same element of self (self has no overlapping strides).
// masked_fill_  the elementwise launcher, self being both input and output.
// cat           one cudaMemcpy2DAsync per input: `outer` rows of size(dim) * inner elements into out's rows.
// one_hot       one thread per output element.
#include "kernels/cuda/index.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/dim_layout.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/device_types.cuh"
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/runtime.h"
#include "tensor/creation.h"

namespace htp::kernels::cuda {
namespace {

#define HTP_INDEX_GRID_STRIDE(i, n)                                                                   \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);               \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// The values of an int64 device tensor, on the host.
std::vector<int64_t> to_host(const Tensor& index) {
  std::vector<int64_t> v(static_cast<size_t>(index.numel()));
  if (!v.empty()) {
    const Tensor host = index.to(Device::cpu()).contiguous();
    std::memcpy(v.data(), host.raw_data(), v.size() * sizeof(int64_t));
  }
  return v;
}

// The index values on the host, checked against [0, size) with the CPU kernel's message.
std::vector<int64_t> host_indices(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  std::vector<int64_t> v = to_host(index);
  for (const int64_t i : v)
    HTP_CHECK(i >= 0 && i < size, op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return v;
}

// f(Tag<U>{}) with U an unsigned type of the element size: data movement without arithmetic.
template <class F>
void dispatch_bytes(size_t element_size, F&& f) {
  switch (element_size) {
    case 1: return f(Tag<uint8_t>{});
    case 2: return f(Tag<uint16_t>{});
    case 4: return f(Tag<uint32_t>{});
    case 8: return f(Tag<uint64_t>{});
  }
  throw Error(detail::concat("index: unexpected element size ", element_size));
}

Tensor upload(const std::vector<int64_t>& v, Device device) {
  return from_buffer(v.data(), {static_cast<int64_t>(v.size())}, DType::i64, device);
}

// ---- kernels ---------------------------------------------------------------------------------------------------

template <class U>
__global__ void __launch_bounds__(kThreads) index_select_kernel(const U* x, U* out, const int64_t* index, int64_t total,
                                                                int64_t n, int64_t k, int64_t inner) {
  HTP_INDEX_GRID_STRIDE(t, total) {
    const int64_t j = t % inner, row = t / inner, o = row / k, i = row - o * k;
    out[t] = x[(o * n + index[i]) * inner + j];
  }
}

// rows[u]: the u-th destination row that occurs; positions[offsets[u] .. offsets[u + 1]): the index positions that
// hit it, in increasing order.
template <class T>
__global__ void __launch_bounds__(kThreads) index_add_kernel(T* self, const T* src, const int64_t* rows,
                                                             const int64_t* offsets, const int64_t* positions,
                                                             int64_t total, int64_t distinct, int64_t n, int64_t k,
                                                             int64_t inner) {
  HTP_INDEX_GRID_STRIDE(t, total) {
    const int64_t j = t % inner, rest = t / inner, o = rest / distinct, u = rest - o * distinct;
    T* d = self + (o * n + rows[u]) * inner + j;
    T acc = *d;
    for (int64_t q = offsets[u]; q < offsets[u + 1]; ++q) acc += src[(o * k + positions[q]) * inner + j];
    *d = acc;
  }
}

template <class U>
__global__ void __launch_bounds__(kThreads) gather_kernel(const U* x, U* out, const int64_t* index, int64_t total,
                                                          Indexer<3> ix, int64_t dim_stride) {
  HTP_INDEX_GRID_STRIDE(t, total) {
    int64_t off[3];
    ix.offsets(t, off);
    out[off[0]] = x[off[2] + index[off[1]] * dim_stride];
  }
}

template <class T>
__global__ void __launch_bounds__(kThreads) scatter_add_kernel(T* self, const T* src, const int64_t* index,
                                                               int64_t lines, Indexer<3> ix, int64_t len,
                                                               int64_t self_step, int64_t index_step,
                                                               int64_t src_step) {
  HTP_INDEX_GRID_STRIDE(line, lines) {
    int64_t off[3];
    ix.offsets(line, off);
    for (int64_t t = 0; t < len; ++t) {
      T& d = self[off[0] + index[off[1] + t * index_step] * self_step];
      d += src[off[2] + t * src_step];
    }
  }
}

template <class T>
struct MaskedFill {
  T value;
  __device__ T operator()(bool m, T v) const { return m ? value : v; }
};

__global__ void __launch_bounds__(kThreads) one_hot_kernel(const int64_t* labels, int64_t* out, int64_t total,
                                                           int64_t classes) {
  HTP_INDEX_GRID_STRIDE(t, total) { out[t] = labels[t / classes] == t % classes ? 1 : 0; }
}

#undef HTP_INDEX_GRID_STRIDE

}  // namespace

void index_select(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out) {
  const cpu::DimLayout l = cpu::dim_layout(x.shape(), dim);
  host_indices(index, l.n, dim, "index_select");
  const int64_t total = out.numel();
  if (total == 0) return;
  const int device = x.device().index;
  DeviceGuard guard(device);
  dispatch_bytes(x.element_size(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    index_select_kernel<<<grid_size(device, total), kThreads, 0, stream(device)>>>(
        static_cast<const U*>(x.raw_data()), static_cast<U*>(out.raw_data()), index.data<int64_t>(), total, l.n,
        index.numel(), l.inner);
    check_launch("index_select");
  });
}

void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  const cpu::DimLayout l = cpu::dim_layout(self.shape(), dim);
  const std::vector<int64_t> idx = host_indices(index, l.n, dim, "index_add_");
  if (src.numel() == 0) return;
  const int64_t k = static_cast<int64_t>(idx.size());
  // Counting sort of the positions by destination row: [rows | offsets | positions] in one upload.
  std::vector<int64_t> count(static_cast<size_t>(l.n), 0);
  for (const int64_t i : idx) ++count[static_cast<size_t>(i)];
  std::vector<int64_t> lists, offsets{0}, next(static_cast<size_t>(l.n));
  for (int64_t r = 0; r < l.n; ++r)
    if (count[static_cast<size_t>(r)] > 0) {
      lists.push_back(r);
      next[static_cast<size_t>(r)] = offsets.back();
      offsets.push_back(offsets.back() + count[static_cast<size_t>(r)]);
    }
  const int64_t distinct = static_cast<int64_t>(lists.size());
  lists.insert(lists.end(), offsets.begin(), offsets.end());
  lists.resize(lists.size() + static_cast<size_t>(k));
  int64_t* positions = lists.data() + 2 * distinct + 1;
  for (int64_t i = 0; i < k; ++i) positions[next[static_cast<size_t>(idx[static_cast<size_t>(i)])]++] = i;
  const Tensor plan = upload(lists, self.device());
  const int64_t* rows = plan.data<int64_t>();
  const int64_t total = l.outer * distinct * l.inner;
  const int device = self.device().index;
  DeviceGuard guard(device);
  dispatch_numeric(self.dtype(), "index_add_", [&](auto tag) {
    using T = decltype(tag);
    index_add_kernel<<<grid_size(device, total), kThreads, 0, stream(device)>>>(
        self.data<T>(), src.data<T>(), rows, rows + distinct, rows + 2 * distinct + 1, total, distinct, l.n, k,
        l.inner);
    check_launch("index_add_");
  });
}

void gather(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& out) {
  host_indices(index, x.size(dim), dim, "gather");
  const int64_t total = index.numel();
  if (total == 0) return;
  Strides xs = x.strides();
  const int64_t dim_stride = xs[dim];
  xs[dim] = 0;
  const StridedLayout<3> L = merge_dims<3>(index.shape(), {&out.strides(), &index.strides(), &xs});
  const Indexer<3> ix = make_indexer(L, "gather");
  const int device = x.device().index;
  DeviceGuard guard(device);
  dispatch_bytes(x.element_size(), [&](auto tag) {
    using U = typename decltype(tag)::type;
    gather_kernel<<<grid_size(device, total), kThreads, 0, stream(device)>>>(
        static_cast<const U*>(x.raw_data()), static_cast<U*>(out.raw_data()), index.data<int64_t>(), total, ix,
        dim_stride);
    check_launch("gather");
  });
}

void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  host_indices(index, self.size(dim), dim, "scatter_add");
  if (index.numel() == 0) return;
  const int64_t len = index.size(dim), lines = index.numel() / len;
  Shape line_shape = index.shape();
  line_shape[dim] = 1;  // merge_dims drops it: offsets of each line's first element
  const StridedLayout<3> L = merge_dims<3>(line_shape, {&self.strides(), &index.strides(), &src.strides()});
  const Indexer<3> ix = make_indexer(L, "scatter_add");
  const int device = self.device().index;
  DeviceGuard guard(device);
  dispatch_numeric(self.dtype(), "scatter_add", [&](auto tag) {
    using T = decltype(tag);
    scatter_add_kernel<<<grid_size(device, lines), kThreads, 0, stream(device)>>>(
        self.data<T>(), src.data<T>(), index.data<int64_t>(), lines, ix, len, self.stride(dim), index.stride(dim),
        src.stride(dim));
    check_launch("scatter_add");
  });
}

void masked_fill_(const Tensor& self, const Tensor& mask, double value) {
  dispatch_numeric(self.dtype(), "masked_fill", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T, bool, T>("masked_fill", self, {mask, self}, MaskedFill<T>{static_cast<T>(value)});
  });
}

void cat(const std::vector<Tensor>& inputs, int64_t dim, const Tensor& out) {
  if (out.numel() == 0) return;
  const cpu::DimLayout l = cpu::dim_layout(out.shape(), dim);
  const size_t es = out.element_size();
  const size_t row = static_cast<size_t>(l.n * l.inner) * es;  // bytes of one out row (one outer index)
  const int device = out.device().index;
  DeviceGuard guard(device);
  size_t start = 0;
  for (const Tensor& t : inputs) {
    const size_t run = static_cast<size_t>(t.size(dim) * l.inner) * es;
    char* dst = static_cast<char*>(out.raw_data()) + start;
    if (run > 0 && l.outer == 1)  // one run: a plain copy (no pitch limit)
      HTP_CUDA_CHECK(cudaMemcpyAsync(dst, t.raw_data(), run, cudaMemcpyDeviceToDevice, stream(device)), "cat");
    else if (run > 0)
      HTP_CUDA_CHECK(cudaMemcpy2DAsync(dst, row, t.raw_data(), run, run, static_cast<size_t>(l.outer),
                                       cudaMemcpyDeviceToDevice, stream(device)),
                     "cat");
    start += run;
  }
}

void one_hot(const Tensor& labels, const Tensor& out) {
  const int64_t classes = out.size(-1);
  for (const int64_t v : to_host(labels))
    HTP_CHECK(v >= 0 && v < classes, "one_hot: label ", v, " is out of range for ", classes, " classes");
  const int64_t total = out.numel();
  if (total == 0) return;
  const int device = out.device().index;
  DeviceGuard guard(device);
  one_hot_kernel<<<grid_size(device, total), kThreads, 0, stream(device)>>>(labels.data<int64_t>(),
                                                                            out.data<int64_t>(), total, classes);
  check_launch("one_hot");
}

}  // namespace htp::kernels::cuda
