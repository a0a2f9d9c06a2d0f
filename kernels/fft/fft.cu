// The FFT on the GPU: radix-2 Stockham (autosorting: no bit-reversal pass),
// plus the packing that turns a real FFT into a complex one of half length.
// Launched from kernels/fft/gpu.py; the readable reference is reference.py.
//
// One Stockham stage (Bainville's formulation). Before it, the row holds
// n/p interleaved transforms of length p; after it, n/(2p) of length 2p.
// Butterfly i (0 <= i < n/2) takes u0 = x[i] and u1 = x[i + n/2], and with
// k = i mod p writes
//     y[2i - k]     = u0 + w u1
//     y[2i - k + p] = u0 - w u1,      w = e^{-2 pi i k / (2p)}
// After log2(n) stages (p = 1, 2, 4, ..., n/2) y holds X in natural order.

template <typename T>
struct Complex {
    T re, im;
};

template <typename T>
__device__ __forceinline__ Complex<T> operator+(Complex<T> a, Complex<T> b) {
    return {a.re + b.re, a.im + b.im};
}

template <typename T>
__device__ __forceinline__ Complex<T> operator-(Complex<T> a, Complex<T> b) {
    return {a.re - b.re, a.im - b.im};
}

template <typename T>
__device__ __forceinline__ Complex<T> operator*(Complex<T> a, Complex<T> b) {
    return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

template <typename T>
__device__ __forceinline__ Complex<T> conjugate(Complex<T> a) {
    return {a.re, -a.im};
}

// Butterfly i of the stage for sub-length p. twiddles[j] = e^{-2 pi i j / n},
// j < n/2; `inverse` conjugates them (the unnormalized inverse transform).
template <typename T>
__device__ __forceinline__ void butterfly(const Complex<T>* x, Complex<T>* y, const Complex<T>* twiddles,
                                          int n, int p, int i, int inverse) {
    int k = i & (p - 1);
    Complex<T> w = twiddles[k * (n / (2 * p))];
    if (inverse) w = conjugate(w);
    Complex<T> u0 = x[i];
    Complex<T> u1 = w * x[i + n / 2];
    int j = 2 * i - k;
    y[j] = u0 + u1;
    y[j + p] = u0 - u1;
}

// n <= 4096: one block per row; the row and its second buffer live in
// shared memory (2 n complex numbers, dynamic), so every stage of the
// transform runs without touching device memory between stages.
template <typename T>
__global__ void stockham_shared(const Complex<T>* in, Complex<T>* out, const Complex<T>* twiddles,
                                int n, int inverse) {
    extern __shared__ __align__(16) unsigned char shared_bytes[];
    Complex<T>* a = reinterpret_cast<Complex<T>*>(shared_bytes);
    Complex<T>* b = a + n;
    const long long row = blockIdx.x;
    for (int j = threadIdx.x; j < n; j += blockDim.x) a[j] = in[row * n + j];
    __syncthreads();
    for (int p = 1; p < n; p *= 2) {
        for (int i = threadIdx.x; i < n / 2; i += blockDim.x) butterfly(a, b, twiddles, n, p, i, inverse);
        __syncthreads();
        Complex<T>* swap = a;  // this stage's output is the next stage's input
        a = b;
        b = swap;
    }
    for (int j = threadIdx.x; j < n; j += blockDim.x) out[row * n + j] = a[j];
}

// n > 4096: one stage over every row per launch, in device memory; the
// caller swaps x and y between launches.
template <typename T>
__global__ void stockham_stage(const Complex<T>* x, Complex<T>* y, const Complex<T>* twiddles,
                               int n, int p, long long butterflies, int inverse) {
    long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= butterflies) return;
    long long row = index / (n / 2);
    int i = (int)(index % (n / 2));
    butterfly(x + row * n, y + row * n, twiddles, n, p, i, inverse);
}

// Real FFT, last step. A real row of n = 2N samples read as N complex
// numbers z_j = x_2j + i x_2j+1 was transformed to Z; bin k = 0..N of the
// real transform is
//     E = (Z[k] + conj Z[N-k]) / 2,   O = (Z[k] - conj Z[N-k]) / 2i,
//     X[k] = E + w^k O,               w^k = e^{-2 pi i k / n} = unpack[k].
template <typename T>
__global__ void rfft_unpack(const Complex<T>* Z, Complex<T>* X, const Complex<T>* unpack,
                            int N, long long count) {
    long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= count) return;
    long long row = index / (N + 1);
    int k = (int)(index % (N + 1));
    Complex<T> zk = Z[row * N + k % N];
    Complex<T> zm = conjugate(Z[row * N + (N - k) % N]);
    Complex<T> sum = zk + zm, difference = zk - zm;
    Complex<T> even = {sum.re / 2, sum.im / 2};
    Complex<T> odd = {difference.im / 2, -difference.re / 2};  // (a + ib) / 2i = (b - ia) / 2
    X[row * (N + 1) + k] = even + unpack[k] * odd;
}

// Inverse real FFT, first step: from bins X[0..N] build the N complex
// numbers whose inverse transform is N (x_2j + i x_2j+1):
//     E = (X[k] + conj X[N-k]) / 2,   O = (X[k] - conj X[N-k]) e^{+2 pi i k / n} / 2,
//     z_k = E + i O.
// As NumPy does, the imaginary parts of X[0] and X[N] are ignored.
template <typename T>
__global__ void irfft_pack(const Complex<T>* X, Complex<T>* z, const Complex<T>* unpack_conj,
                           int N, long long count) {
    long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (index >= count) return;
    long long row = index / N;
    int k = (int)(index % N);
    Complex<T> xk = X[row * (N + 1) + k];
    Complex<T> xm = X[row * (N + 1) + (N - k)];
    if (k == 0) {  // X[0] and X[N]: real by definition of a real signal's spectrum
        xk.im = 0;
        xm.im = 0;
    }
    xm = conjugate(xm);
    Complex<T> sum = xk + xm, difference = xk - xm;
    Complex<T> even = {sum.re / 2, sum.im / 2};
    Complex<T> odd = unpack_conj[k] * Complex<T>{difference.re / 2, difference.im / 2};
    z[row * N + k] = {even.re - odd.im, even.im + odd.re};  // E + i O
}
