#!/usr/bin/env bash
# The project's GPU checks, in one run, on a machine with a CUDA GPU and CuPy.
#
#   tools/gpu_check.sh [FSDD_DIR]
#
# Installs nothing: the project is imported from this checkout (PYTHONPATH),
# and CuPy, PyTorch, torchaudio, librosa and pytest must already be there.
# It runs, each under its own time limit so the whole fits in 10 minutes on
# one H100-class GPU:
#   1. the device and the backends minidl sees;
#   2. `pytest -m gpu` (every kernel against its NumPy reference, our FFT
#      against cuFFT, audio against librosa, the recurrent layers against
#      PyTorch's cuDNN, a training run that learns) and the nvcc -ptx test;
#   3. the GPU rows of `minidl bench` (ratios in the same run);
#   4. with FSDD_DIR: a short `minidl train --device cuda` on FSDD, and the
#      same run on the CPU, to compare their times and accuracies.
# Logs and JSON go to $GPU_CHECK_OUT (default gpu-check/); a summary is
# printed last.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT_DIR=${GPU_CHECK_OUT:-gpu-check}
PYTHON=${PYTHON:-python3}
EPOCHS=${GPU_CHECK_EPOCHS:-4}
FSDD_DIR=${1:-}
mkdir -p "$OUT_DIR"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
status=0

echo "== device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT_DIR/device.txt"
$PYTHON -m minidl info | tee -a "$OUT_DIR/device.txt"

echo "== pytest -m gpu, and the nvcc -ptx test"
timeout 240 $PYTHON -m pytest -m gpu -q -p no:cacheprovider -o addopts="" -rfEs tests \
    --junitxml="$OUT_DIR/pytest-gpu.xml" 2>&1 | tee "$OUT_DIR/pytest-gpu.log" || status=1
timeout 60 $PYTHON -m pytest -q -p no:cacheprovider -o addopts="" tests/kernels/test_cuda_sources.py 2>&1 \
    | tee "$OUT_DIR/pytest-ptx.log" || status=1

echo "== minidl bench, GPU rows"
timeout 120 $PYTHON -m minidl bench --only GPU --repeat 7 --json "$OUT_DIR/bench-gpu.json" 2>&1 \
    | tee "$OUT_DIR/bench-gpu.log" || status=1

if [ -n "$FSDD_DIR" ]; then
    for device in cuda cpu; do
        echo "== minidl train --device $device on FSDD ($EPOCHS epochs)"
        start=$(date +%s%N)
        timeout 120 $PYTHON -m minidl train --data "fsdd:$FSDD_DIR" --device "$device" --epochs "$EPOCHS" \
            --out "$OUT_DIR/train-$device" --force --no-cache 2>&1 | tee "$OUT_DIR/train-$device.log" || status=1
        echo "$device $(( ($(date +%s%N) - start) / 1000000 )) ms" >> "$OUT_DIR/train-seconds.txt"
    done
fi

echo "== summary"
cat "$OUT_DIR/device.txt" | head -1
echo "pytest -m gpu: $(tail -1 "$OUT_DIR/pytest-gpu.log")"
echo "nvcc -ptx:     $(tail -1 "$OUT_DIR/pytest-ptx.log")"
sed -n '/^backend:/,$p' "$OUT_DIR/bench-gpu.log"
if [ -n "$FSDD_DIR" ]; then
    echo "train wall time:"; cat "$OUT_DIR/train-seconds.txt"
    for device in cuda cpu; do
        echo "$device: $(grep -h -o -E '"(test_accuracy|train_seconds|total_seconds)": [0-9.]*' \
            "$OUT_DIR/train-$device/metrics.json" 2>/dev/null | tr '\n' ' ')"
    done
fi
exit $status
