#!/usr/bin/env bash
# Intel MKL for the peer of `./adapterops bench train --peer`: Debian's PyTorch multiplies matrices with
# whatever libblas.so.3 is installed (OpenBLAS, reference BLAS), DJL's libtorch with the MKL built into it,
# and a round only counts where both 1024³ matmuls run within 10%. This fetches MKL as JavaCPP
# redistributes it on Maven Central (once, into bench/.mkl) and prints the PEER_MKL setting that makes
# the peer's PyTorch call it instead:
#   export $(bench/peer_mkl.sh) && ./adapterops bench train --peer 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/bench/.mkl"
ARTIFACT=org.bytedeco:mkl:2025.2-1.5.12:jar:linux-x86_64-redist
if [[ ! -f "$DIR/libmkl_rt.so.2" ]]; then
  mkdir -p "$DIR"
  mvn -B -ntp -q dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$DIR" >&2
  unzip -q -o -j "$DIR"/mkl-*-redist.jar 'org/bytedeco/mkl/linux-x86_64/*.so*' -d "$DIR"
  rm -f "$DIR"/mkl-*-redist.jar
fi
echo "PEER_MKL=$DIR/libmkl_rt.so.2"
