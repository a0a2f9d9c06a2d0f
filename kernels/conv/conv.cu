// 1-D convolution on the GPU: the sums of kernels/conv/reference.py,
// launched from kernels/conv/gpu.py.
//
// Layouts (PyTorch's): x [N, C_in, L], w [C_out, C_in/G, K], bias [C_out],
// y [N, C_out, L_out]. Zero padding is never stored: a tap that lands on
// frame j = t s + k d - p_l outside [0, L) adds nothing.
//
// Each kernel gives every result element its own thread (or block), so no
// two threads write one address and no atomics are needed:
//   conv1d_forward          one thread per y[n, o, t]
//   conv1d_backward_input   one thread per dL/dx[n, i, j]: the (k, t) with t s + k d = j + p_l
//   conv1d_backward_weight  one block per dL/dw[o, c, k]: its threads share the N L_out terms,
//                           then add their partial sums in shared memory

#define CONV_THREADS 256  // threads per block of conv1d_backward_weight (a power of two)

template <typename T>
__global__ void conv1d_forward(const T* x, const T* w, const T* bias, T* y, int N, int C_in, int L,
                               int C_out, int K, int L_out, int stride, int pad_left, int dilation,
                               int groups) {
    const long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)N * C_out * L_out) return;
    const int t = (int)(idx % L_out);
    const int o = (int)((idx / L_out) % C_out);
    const long long n = idx / ((long long)L_out * C_out);
    const int cg = C_in / groups;
    const int g = o / (C_out / groups);
    T acc = bias[o];
    for (int c = 0; c < cg; ++c) {
        const T* x_row = x + (n * C_in + (long long)g * cg + c) * L;
        const T* w_row = w + ((long long)o * cg + c) * K;
        for (int k = 0; k < K; ++k) {
            const int j = t * stride + k * dilation - pad_left;
            if (j >= 0 && j < L) acc += w_row[k] * x_row[j];
        }
    }
    y[idx] = acc;
}

// dL/dx[n, i, j] = sum_{o in g(i)} sum_k w[o, c, k] dL/dy[n, o, t], over the t with t s + k d = j + p_l.
template <typename T>
__global__ void conv1d_backward_input(const T* grad_y, const T* w, T* grad_x, int N, int C_in, int L,
                                      int C_out, int K, int L_out, int stride, int pad_left, int dilation,
                                      int groups) {
    const long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)N * C_in * L) return;
    const int j = (int)(idx % L);
    const int i = (int)((idx / L) % C_in);
    const long long n = idx / ((long long)L * C_in);
    const int cg = C_in / groups, og = C_out / groups;
    const int g = i / cg, c = i % cg;
    T acc = T(0);
    for (int k = 0; k < K; ++k) {
        const int p = j + pad_left - k * dilation;  // t s, if this tap meets frame j at all
        if (p < 0 || p % stride != 0) continue;
        const int t = p / stride;
        if (t >= L_out) continue;
        for (int o = g * og; o < (g + 1) * og; ++o)
            acc += w[((long long)o * cg + c) * K + k] * grad_y[(n * C_out + o) * L_out + t];
    }
    grad_x[idx] = acc;
}

// dL/dw[o, c, k] = sum_n sum_t dL/dy[n, o, t] x[n, g(o) C_in/G + c, t s + k d - p_l].
template <typename T>
__global__ void conv1d_backward_weight(const T* grad_y, const T* x, T* grad_w, int N, int C_in, int L,
                                       int C_out, int K, int L_out, int stride, int pad_left, int dilation,
                                       int groups) {
    __shared__ T partial[CONV_THREADS];
    const int cg = C_in / groups;
    const int k = blockIdx.x % K;
    const int c = (blockIdx.x / K) % cg;
    const int o = blockIdx.x / (K * cg);
    const int i = (o / (C_out / groups)) * cg + c;
    T acc = T(0);
    for (long long m = threadIdx.x; m < (long long)N * L_out; m += blockDim.x) {
        const long long n = m / L_out;
        const int t = (int)(m % L_out);
        const int j = t * stride + k * dilation - pad_left;
        if (j >= 0 && j < L) acc += grad_y[(n * C_out + o) * L_out + t] * x[(n * C_in + i) * L + j];
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {  // tree sum: log2(threads) steps
        if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) grad_w[blockIdx.x] = partial[0];
}
