"""Every CUDA C source compiles with nvcc, for float and double, without a GPU.

CI has no GPU, so this is what stops a syntax or type error in a ``.cu``
file from landing. The kernels are templates, and a template is only
type-checked when instantiated: a wrapper file includes the source and
takes the address of ``kernel<float>`` and ``kernel<double>`` for every
kernel its ``gpu.py`` launches, which makes nvcc compile each one.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kernels import cuda
from kernels.conv import gpu as conv_gpu
from kernels.ctc import gpu as ctc_gpu
from kernels.fft import gpu as fft_gpu
from kernels.recurrent import gpu as recurrent_gpu
from kernels.spectral import gpu as spectral_gpu

LAUNCHERS = (fft_gpu, spectral_gpu, recurrent_gpu, ctc_gpu, conv_gpu)
ARCH = "sm_90"  # Hopper, the GPUs the GPU suite runs on
NVCC = shutil.which("nvcc")


def test_every_cuda_source_is_launched_by_a_gpu_module():
    claimed = {module.SOURCE for module in LAUNCHERS}
    assert claimed == set(cuda.cuda_sources())


def test_every_launched_template_is_defined_in_its_source():
    for module in LAUNCHERS:
        text = module.SOURCE.read_text()
        defined = set(re.findall(r"__global__ void (\w+)\(", text))
        assert set(module.TEMPLATES) == defined, module.SOURCE.name


@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed")
@pytest.mark.parametrize("module", LAUNCHERS, ids=lambda m: m.SOURCE.name)
def test_cuda_source_compiles_to_ptx(module, tmp_path):
    names = cuda.instantiations(module.TEMPLATES)  # stockham_shared<float>, ...
    wrapper = tmp_path / "instantiate.cu"
    wrapper.write_text(
        f'#include "{module.SOURCE}"\n'
        + "void* instantiated[] = {\n"
        + "".join(f"    (void*)&{name},\n" for name in names)
        + "};\n"
    )
    ptx = tmp_path / "out.ptx"
    result = subprocess.run([NVCC, "-ptx", f"-arch={ARCH}", "--std=c++17", str(wrapper), "-o", str(ptx)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    entries = re.findall(r"\.entry\s+(\S+?)\(", ptx.read_text())
    assert len(entries) == len(names), entries
    for template in module.TEMPLATES:
        assert sum(template in entry for entry in entries) == 2, f"{template}: float and double in {entries}"
