#include "nn/bcos/bcos_transform.h"

#include "autograd/ops.h"

namespace htp::nn {

Variable max_out(const Variable& l, int64_t dim, int64_t m) {
  if (m == 1) return l;
  const int64_t d = dim < 0 ? dim + l.dim() : dim;
  HTP_CHECK(d >= 0 && d < l.dim() && l.size(d) % m == 0, "max_out: dim ", dim, " of ", l.describe(),
            " is not a multiple of max_out ", m);
  Shape grouped = l.shape();
  grouped[d] = l.size(d) / m;
  grouped.insert(grouped.begin() + d + 1, m);
  return max(reshape(l, grouped), d + 1).values;
}

Variable bcos_scale(const Variable& o, const Variable& n, double b, bool detach) {
  const Variable od = detach ? o.detach() : o;
  const Variable nd = detach ? n.detach() : n;
  const Variable scale = b == 2.0 ? div(abs(od), nd) : pow(add(abs(div(od, nd)), 1e-6), b - 1.0);
  return mul(scale, o);
}

}  // namespace htp::nn
