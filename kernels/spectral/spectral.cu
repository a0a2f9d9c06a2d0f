// Spectral kernels on the GPU: the steps from samples to MFCC that are not
// FFTs or matrix products. Launched from kernels/spectral/gpu.py; the
// readable reference (and the math) is reference.py. Each elementwise
// kernel gives one thread one output element and checks index < count.

template <typename T>
struct Complex {
    T re, im;
};

__device__ __forceinline__ long long thread_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

// 1. Framing and windowing: frames[r, t, j] = y[r, t * hop + j] * window[j].
//    y [rows, n_samples] -> frames [rows, n_frames, n_fft]
template <typename T>
__global__ void frame_window(const T* y, const T* window, T* frames, int n_samples, int n_fft, int hop,
                             int n_frames, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    int j = (int)(index % n_fft);
    long long frame = index / n_fft;  // r * n_frames + t
    int t = (int)(frame % n_frames);
    long long r = frame / n_frames;
    frames[index] = y[r * n_samples + (long long)t * hop + j] * window[j];
}

// 2. Power spectrogram |X|^p (p = 2: no square root at all).
template <typename T>
__global__ void power_spectrum(const Complex<T>* X, T* S, T power, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    Complex<T> x = X[index];
    T energy = x.re * x.re + x.im * x.im;
    S[index] = power == T(2) ? energy : pow(energy, power / T(2));
}

// 3. Sparse mel filterbank: band m covers only bins first[m] .. last[m]-1,
//    so M[r, m, t] = sum over those k of W[m, k] S[r, k, t]. S is read
//    through its strides (in elements), so a frame-major spectrogram needs
//    no transpose; consecutive threads take consecutive frames t.
template <typename T>
__global__ void mel_apply_sparse(const T* S, const T* weights, const long long* first, const long long* last,
                                 T* out, long long row_stride, long long bin_stride, long long frame_stride,
                                 int n_freq, int n_mels, int n_frames, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    int t = (int)(index % n_frames);
    int m = (int)((index / n_frames) % n_mels);
    long long r = index / ((long long)n_frames * n_mels);
    const T* spectrum = S + r * row_stride + t * frame_stride;
    T sum = 0;
    for (long long k = first[m]; k < last[m]; ++k) sum += weights[m * n_freq + k] * spectrum[k * bin_stride];
    out[index] = sum;
}

// 4. Decibels: 10 log10(max(amin, S)) - offset, offset = 10 log10(max(amin, ref)).
//    (The top_db floor needs the global maximum: gpu.py does it after.)
template <typename T>
__global__ void log_power(const T* S, T* out, T amin, T offset, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    T value = S[index];  // not max(amin, value): fmax drops a NaN, np.maximum keeps it
    out[index] = T(10) * log10(value < amin ? amin : value) - offset;
}

// 5. Deltas: the Savitzky-Golay derivative. Interior samples use the
//    centred filter h [width]; the first and last half = width/2 samples use
//    the rows of edge_start / edge_end [half, width] on the first / last
//    width samples (see reference.savgol_weights). data, out [rows, n].
template <typename T>
__global__ void delta_filter(const T* data, const T* h, const T* edge_start, const T* edge_end, T* out,
                             int n, int width, long long count) {
    long long index = thread_index();
    if (index >= count) return;
    int i = (int)(index % n);
    const T* row = data + (index - i);
    int half = width / 2;
    const T* taps;
    const T* samples;
    if (i < half) {
        taps = edge_start + (long long)i * width;
        samples = row;
    } else if (i >= n - half) {
        taps = edge_end + (long long)(i - (n - half)) * width;
        samples = row + (n - width);
    } else {
        taps = h;
        samples = row + (i - half);
    }
    T sum = 0;
    for (int j = 0; j < width; ++j) sum += taps[j] * samples[j];
    out[index] = sum;
}

// 6. Overlap-add, the inverse of framing: output sample s gathers every
//    frame t that covers it (t hop <= s < t hop + n_fft), so threads never
//    write the same element. frames [rows, n_frames, n_fft] -> out [rows, n_out].
template <typename T>
__global__ void overlap_add(const T* frames, T* out, int n_frames, int n_fft, int hop, int n_out,
                            long long count) {
    long long index = thread_index();
    if (index >= count) return;
    int s = (int)(index % n_out);
    long long r = index / n_out;
    int last = min(n_frames - 1, s / hop);
    int first = s < n_fft ? 0 : (s - n_fft) / hop + 1;
    T sum = 0;
    for (int t = first; t <= last; ++t) sum += frames[(r * n_frames + t) * n_fft + (s - t * hop)];
    out[index] = sum;
}

// 7. Recursive filters are sequential in time: one thread per row.
//    y[i] = x[i] + coef y[i-1], with zi standing for coef y[-1].
template <typename T>
__global__ void first_order_recursion(const T* x, const T* zi, T* out, T coef, int n, int rows) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    T carried = zi[r];
    for (int i = 0; i < n; ++i) {
        T y = x[(long long)r * n + i] + carried;
        out[(long long)r * n + i] = y;
        carried = coef * y;
    }
}

//    y[i] = x[i] - a1[i] y[i-1] - a2[i] y[i-2], starting at rest.
template <typename T>
__global__ void resonator(const T* x, const T* a1, const T* a2, T* out, int n, int rows) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    T previous = 0, before = 0;  // y[i-1], y[i-2]
    for (int i = 0; i < n; ++i) {
        long long at = (long long)r * n + i;
        T y = x[at] - a1[at] * previous - a2[at] * before;
        out[at] = y;
        before = previous;
        previous = y;
    }
}
