// The gate math of one RNN/LSTM/GRU time step on the GPU, forward and
// backward: everything elementwise after the matrix products (which CuPy
// leaves to cuBLAS). Launched from kernels/recurrent/gpu.py; the equations
// are reference.py's. One thread per (batch row b, hidden unit j) does all
// the gates of that unit, so each input is read once and each output
// written once. Gate blocks are PyTorch's: LSTM [i | f | g | o], GRU [r | z | n].

__device__ __forceinline__ long long thread_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

template <typename T>
__device__ __forceinline__ T sigmoid(T a) {
    return T(1) / (T(1) + exp(-a));  // exp(-a) = inf for very negative a gives 0, as it should
}

// ------------------------------------------------------------ Elman RNN
// h = act(gx + gh), act = tanh (relu = 0) or relu (relu = 1). [B, H]
template <typename T>
__global__ void rnn_forward(const T* gx, const T* gh, T* h, int relu, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    T pre = gx[index] + gh[index];
    // pre > 0 ? pre : 0 rather than max(pre, 0): CUDA's max is fmax, which drops a NaN,
    // where NumPy's maximum and PyTorch's relu keep it (a diverged run must look diverged).
    h[index] = relu ? (pre > T(0) || pre != pre ? pre : T(0)) : tanh(pre);
}

// d_pre = dh act'(pre), with act' written through h: tanh' = 1 - h^2, relu' = [h > 0].
template <typename T>
__global__ void rnn_backward(const T* dh, const T* h, T* d_pre, int relu, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    T hv = h[index];
    d_pre[index] = relu ? (hv > T(0) ? dh[index] : T(0)) : dh[index] * (T(1) - hv * hv);
}

// ------------------------------------------------------------ LSTM
// a = gx + gh [B, 4H]; i, f, o = sigma(a_i, a_f, a_o), g = tanh(a_g);
// c = f c_prev + i g; h = o tanh(c). Keeps the activated gates and tanh(c).
template <typename T>
__global__ void lstm_forward(const T* gx, const T* gh, const T* c_prev, T* h, T* c, T* gates, T* tanh_c,
                             int H, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    long long b = index / H;
    int j = (int)(index % H);
    long long at = b * 4 * H + j;  // unit j of gate block 0 in row b
    T i = sigmoid(gx[at] + gh[at]);
    T f = sigmoid(gx[at + H] + gh[at + H]);
    T g = tanh(gx[at + 2 * H] + gh[at + 2 * H]);
    T o = sigmoid(gx[at + 3 * H] + gh[at + 3 * H]);
    T c_new = f * c_prev[index] + i * g;
    T tc = tanh(c_new);
    gates[at] = i;
    gates[at + H] = f;
    gates[at + 2 * H] = g;
    gates[at + 3 * H] = o;
    c[index] = c_new;
    tanh_c[index] = tc;
    h[index] = o * tc;
}

// Backward: the total gradient of c_t adds the path through h_t,
// then each gate gets it times what it multiplied, through its activation.
template <typename T>
__global__ void lstm_backward(const T* dh, const T* dc, const T* gates, const T* c_prev, const T* tanh_c,
                              T* d_a, T* dc_prev, int H, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    long long b = index / H;
    int j = (int)(index % H);
    long long at = b * 4 * H + j;
    T i = gates[at], f = gates[at + H], g = gates[at + 2 * H], o = gates[at + 3 * H];
    T tc = tanh_c[index];
    T dhv = dh[index];
    T dc_total = dc[index] + dhv * o * (T(1) - tc * tc);
    d_a[at] = dc_total * g * i * (T(1) - i);
    d_a[at + H] = dc_total * c_prev[index] * f * (T(1) - f);
    d_a[at + 2 * H] = dc_total * i * (T(1) - g * g);
    d_a[at + 3 * H] = dhv * tc * o * (T(1) - o);
    dc_prev[index] = dc_total * f;
}

// ------------------------------------------------------------ GRU
// r = sigma(x_r + h_r), z = sigma(x_z + h_z), n = tanh(x_n + r h_n),
// h = (1 - z) n + z h_prev; gh holds h_prev W_hh^T + b_hh. cache [B, 4H] = [r | z | n | h_n].
template <typename T>
__global__ void gru_forward(const T* gx, const T* gh, const T* h_prev, T* h, T* cache, int H, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    long long b = index / H;
    int j = (int)(index % H);
    long long at = b * 3 * H + j;  // unit j of gate block 0 in a [B, 3H] row
    T r = sigmoid(gx[at] + gh[at]);
    T z = sigmoid(gx[at + H] + gh[at + H]);
    T h_n = gh[at + 2 * H];
    T n = tanh(gx[at + 2 * H] + r * h_n);
    h[index] = (T(1) - z) * n + z * h_prev[index];
    long long kept = b * 4 * H + j;
    cache[kept] = r;
    cache[kept + H] = z;
    cache[kept + 2 * H] = n;
    cache[kept + 3 * H] = h_n;
}

// Backward: d_gx = [d_r | d_z | d_n], d_gh = [d_r | d_z | r d_n], and the
// part of dL/dh_prev that flows through z (the caller adds d_gh W_hh).
template <typename T>
__global__ void gru_backward(const T* dh, const T* cache, const T* h_prev, T* d_gx, T* d_gh, T* dh_prev,
                             int H, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    long long b = index / H;
    int j = (int)(index % H);
    long long kept = b * 4 * H + j;
    T r = cache[kept], z = cache[kept + H], n = cache[kept + 2 * H], h_n = cache[kept + 3 * H];
    T d = dh[index];
    T d_n = d * (T(1) - z) * (T(1) - n * n);
    T d_r = d_n * h_n * r * (T(1) - r);
    T d_z = d * (h_prev[index] - n) * z * (T(1) - z);
    long long at = b * 3 * H + j;
    d_gx[at] = d_r;
    d_gx[at + H] = d_z;
    d_gx[at + 2 * H] = d_n;
    d_gh[at] = d_r;
    d_gh[at + H] = d_z;
    d_gh[at + 2 * H] = d_n * r;
    dh_prev[index] = d * z;
}
