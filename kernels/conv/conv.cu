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

// The sizes of one convolution: gpu.py passes them as one int array, in this order.
struct Geometry {
    int N, C_in, L, C_out, K, L_out, stride, pad_left, dilation, groups;
};

__device__ __forceinline__ Geometry geometry(const int* sizes) {
    return Geometry{sizes[0], sizes[1], sizes[2], sizes[3], sizes[4],
                    sizes[5], sizes[6], sizes[7], sizes[8], sizes[9]};
}

// (n, channel, frame) of flat index idx into an array [N, channels, frames].
struct Element {
    long long n;
    int channel, frame;
};

__device__ __forceinline__ Element element(long long idx, int channels, int frames) {
    return Element{idx / ((long long)frames * channels), (int)((idx / frames) % channels), (int)(idx % frames)};
}

template <typename T>
__global__ void conv1d_forward(const T* x, const T* w, const T* bias, T* y, const int* sizes) {
    const Geometry s = geometry(sizes);
    const long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)s.N * s.C_out * s.L_out) return;
    const Element e = element(idx, s.C_out, s.L_out);
    const int o = e.channel;  // the output channel; e.n the sequence, e.frame the output frame t
    const int cg = s.C_in / s.groups;
    const int g = o / (s.C_out / s.groups);
    T acc = bias[o];
    for (int c = 0; c < cg; ++c) {
        const T* x_row = x + (e.n * s.C_in + (long long)g * cg + c) * s.L;
        const T* w_row = w + ((long long)o * cg + c) * s.K;
        for (int k = 0; k < s.K; ++k) {
            const int j = e.frame * s.stride + k * s.dilation - s.pad_left;
            if (j >= 0 && j < s.L) acc += w_row[k] * x_row[j];
        }
    }
    y[idx] = acc;
}

// dL/dx[n, i, j] = sum_{o in g(i)} sum_k w[o, c, k] dL/dy[n, o, t], over the t with t s + k d = j + p_l.
template <typename T>
__global__ void conv1d_backward_input(const T* grad_y, const T* w, T* grad_x, const int* sizes) {
    const Geometry s = geometry(sizes);
    const long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)s.N * s.C_in * s.L) return;
    const Element e = element(idx, s.C_in, s.L);
    const int i = e.channel, j = e.frame;
    const int cg = s.C_in / s.groups, og = s.C_out / s.groups;
    const int g = i / cg, c = i % cg;
    T acc = T(0);
    for (int k = 0; k < s.K; ++k) {
        const int p = j + s.pad_left - k * s.dilation;  // t s, if this tap meets frame j at all
        if (p < 0 || p % s.stride != 0) continue;
        const int t = p / s.stride;
        if (t >= s.L_out) continue;
        for (int o = g * og; o < (g + 1) * og; ++o)
            acc += w[((long long)o * cg + c) * s.K + k] * grad_y[(e.n * s.C_out + o) * s.L_out + t];
    }
    grad_x[idx] = acc;
}

// dL/dw[o, c, k] = sum_n sum_t dL/dy[n, o, t] x[n, g(o) C_in/G + c, t s + k d - p_l].
template <typename T>
__global__ void conv1d_backward_weight(const T* grad_y, const T* x, T* grad_w, const int* sizes) {
    __shared__ T partial[CONV_THREADS];
    const Geometry s = geometry(sizes);
    const int cg = s.C_in / s.groups;
    const int k = blockIdx.x % s.K;
    const int c = (blockIdx.x / s.K) % cg;
    const int o = blockIdx.x / (s.K * cg);
    const int i = (o / (s.C_out / s.groups)) * cg + c;
    T acc = T(0);
    for (long long m = threadIdx.x; m < (long long)s.N * s.L_out; m += blockDim.x) {
        const long long n = m / s.L_out;
        const int t = (int)(m % s.L_out);
        const int j = t * s.stride + k * s.dilation - s.pad_left;
        if (j >= 0 && j < s.L) acc += grad_y[(n * s.C_out + o) * s.L_out + t] * x[(n * s.C_in + i) * s.L + j];
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {  // tree sum: log2(threads) steps
        if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) grad_w[blockIdx.x] = partial[0];
}
