// im2col / col2im: the patches of a convolution as a matrix, so that conv2d is a GEMM (kernels/cpu/conv.cpp).
//
//   im2col: col[(c kh + a) kw + b, i OW + j] = img[c, i s_h - p_h + a d_h, j s_w - p_w + b d_w]   (0 outside the image)
//           img [C, H, W] and col [C kh kw, OH OW], both contiguous.
//   col2im: its adjoint, img[c, y, x] = sum of the col entries that im2col read from (c, y, x); img is overwritten.
// Both split the channels over the thread pool (inline for small images and inside a parallel region).
#pragma once
#include <array>
#include <cstdint>

namespace htp::kernels::cpu {

struct PatchGeometry {
  int64_t channels, height, width;  // of the image
  int64_t kernel_h, kernel_w;
  int64_t out_h, out_w;
  std::array<int64_t, 2> stride, padding, dilation;
};

template <class T>
void im2col(const T* img, const PatchGeometry& g, T* col);
template <class T>
void col2im(const T* col, const PatchGeometry& g, T* img);

}  // namespace htp::kernels::cpu
