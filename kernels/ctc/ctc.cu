// CTC forward-backward in log space on the GPU: the recursions of
// kernels/ctc/reference.py, launched from kernels/ctc/gpu.py.
//
// One block per sequence n; its threads share out the extended-label
// positions s = 0 .. S'-1 (S' = 2 S + 1). Time is sequential: each step
// reads row t - 1 (or t + 1) of the table and writes row t, and a
// __syncthreads between steps makes the finished row visible to the whole
// block before anyone reads it.
//
// Layouts: log_probs [T, N, C]; targets [N, S_pad] (padded); lengths [N];
// log_alpha, log_beta [N, T, S'_pad] workspaces, S'_pad = 2 S_pad + 1;
// nll [N]; grad [T, N, C], zeroed by the launcher.

template <typename T>
__device__ __forceinline__ T negative_infinity();
template <>
__device__ __forceinline__ float negative_infinity<float>() { return __int_as_float(0xff800000); }
template <>
__device__ __forceinline__ double negative_infinity<double>() {
    return __longlong_as_double(0xfff0000000000000ULL);
}

// log(e^a + e^b + e^c) around the maximum; all three log 0 gives log 0 (not nan).
template <typename T>
__device__ __forceinline__ T log_sum3(T a, T b, T c) {
    T m = a > b ? a : b;
    m = m > c ? m : c;
    if (m == negative_infinity<T>()) return m;
    return m + log(exp(a - m) + exp(b - m) + exp(c - m));
}

// l'_s: the blank on even s, the label (s - 1) / 2 on odd s.
__device__ __forceinline__ long long label_at(const long long* target, int s, int blank) {
    return (s % 2 == 0) ? (long long)blank : target[s / 2];
}

// May a path jump from s - 2 to s? Only onto a label different from the previous label.
__device__ __forceinline__ bool skip_to(const long long* target, int s) {
    return s % 2 == 1 && s >= 3 && target[s / 2] != target[s / 2 - 1];
}

// alpha_t(s) = y_t(l'_s) [alpha_{t-1}(s) + alpha_{t-1}(s-1) + [skip] alpha_{t-1}(s-2)]; nll = -log p(l|x).
template <typename T>
__global__ void ctc_alpha(const T* log_probs, const long long* targets, const long long* input_lengths,
                          const long long* target_lengths, T* log_alpha, T* nll,
                          int T_max, int N, int C, int S_pad, int blank) {
    const int n = blockIdx.x;
    const int Tn = (int)input_lengths[n];
    const int S = 2 * (int)target_lengths[n] + 1;
    const int row = 2 * S_pad + 1;
    const long long* target = targets + (long long)n * S_pad;
    T* alpha = log_alpha + (long long)n * T_max * row;
    const T neg_inf = negative_infinity<T>();
    if (Tn == 0) {  // no frames: only the empty labelling, with probability 1
        if (threadIdx.x == 0) nll[n] = (S == 1) ? T(0) : -neg_inf;
        return;
    }
    for (int s = threadIdx.x; s < S; s += blockDim.x)
        alpha[s] = s < 2 ? log_probs[(long long)n * C + label_at(target, s, blank)] : neg_inf;
    __syncthreads();
    for (int t = 1; t < Tn; ++t) {
        const T* prev = alpha + (long long)(t - 1) * row;
        T* here = alpha + (long long)t * row;
        const T* y = log_probs + ((long long)t * N + n) * C;
        for (int s = threadIdx.x; s < S; s += blockDim.x) {
            T step = s >= 1 ? prev[s - 1] : neg_inf;
            T jump = skip_to(target, s) ? prev[s - 2] : neg_inf;
            here[s] = y[label_at(target, s, blank)] + log_sum3(prev[s], step, jump);
        }
        __syncthreads();  // row t complete before any thread reads it
    }
    if (threadIdx.x == 0) {
        const T* last = alpha + (long long)(Tn - 1) * row;
        nll[n] = -log_sum3(last[S - 1], S >= 2 ? last[S - 2] : neg_inf, neg_inf);
    }
}

// beta_t(s) = y_t(l'_s) [beta_{t+1}(s) + beta_{t+1}(s+1) + [skip] beta_{t+1}(s+2)], and with it
// grad[t, n, k] = -sum_{s : l'_s = k} exp(alpha_t(s) + beta_t(s) - y_t(l'_s) + nll).
// Each class k is summed by one thread, in a fixed order: no atomics, the same result every run.
template <typename T>
__global__ void ctc_beta_grad(const T* log_probs, const long long* targets, const long long* input_lengths,
                              const long long* target_lengths, const T* log_alpha, const T* nll, T* log_beta,
                              T* grad, int T_max, int N, int C, int S_pad, int blank) {
    const int n = blockIdx.x;
    const int Tn = (int)input_lengths[n];
    const int S = 2 * (int)target_lengths[n] + 1;
    const int row = 2 * S_pad + 1;
    const long long* target = targets + (long long)n * S_pad;
    const T* alpha = log_alpha + (long long)n * T_max * row;
    T* beta = log_beta + (long long)n * T_max * row;
    const T neg_inf = negative_infinity<T>();
    const T log_z = -nll[n];
    if (Tn == 0 || log_z == neg_inf) return;  // no frames, or no alignment: the gradient stays 0
    for (int t = Tn - 1; t >= 0; --t) {
        T* here = beta + (long long)t * row;
        const T* next = beta + (long long)(t + 1) * row;
        const T* y = log_probs + ((long long)t * N + n) * C;
        for (int s = threadIdx.x; s < S; s += blockDim.x) {
            T y_s = y[label_at(target, s, blank)];
            if (t == Tn - 1) {
                here[s] = s >= S - 2 ? y_s : neg_inf;
            } else {
                T step = s + 1 < S ? next[s + 1] : neg_inf;
                T jump = (s + 2 < S && skip_to(target, s + 2)) ? next[s + 2] : neg_inf;
                here[s] = y_s + log_sum3(next[s], step, jump);
            }
        }
        __syncthreads();  // row t of beta complete before the gradient and step t - 1 read it
        const T* alpha_t = alpha + (long long)t * row;
        T* grad_t = grad + ((long long)t * N + n) * C;
        for (int k = threadIdx.x; k < C; k += blockDim.x) {
            T occupancy = T(0);
            for (int s = 0; s < S; ++s)
                if (label_at(target, s, blank) == k)
                    occupancy += exp(alpha_t[s] + here[s] - y[k] - log_z);
            grad_t[k] = -occupancy;
        }
    }
}
