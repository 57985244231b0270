#!/usr/bin/env bash
# Sourced by bin/test: the aparapi backend's tests need an OpenCL driver. On a fresh Debian/Ubuntu
# machine this installs PoCL (an OpenCL CPU driver) and the ICD loader; elsewhere it says what to do.
maskseg_has_opencl() {
  ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 && { ldconfig -p 2>/dev/null | grep -q 'libOpenCL.so.1'; }
}
if ! maskseg_has_opencl; then
  echo "maskseg: no OpenCL driver found; installing Debian's pocl-opencl-icd and ocl-icd-libopencl1 (needed by the aparapi backend tests)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1 && $SUDO apt-get install -y -q pocl-opencl-icd ocl-icd-libopencl1 >/tmp/maskseg-apt.log 2>&1 \
     || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q pocl-opencl-icd ocl-icd-libopencl1 >>/tmp/maskseg-apt.log 2>&1; }; then
    echo "maskseg: installed PoCL"
  else
    echo "maskseg: could not install an OpenCL driver (see /tmp/maskseg-apt.log). Install pocl-opencl-icd and" \
         "ocl-icd-libopencl1 (or your GPU vendor's OpenCL ICD) and rerun." >&2
    exit 1
  fi
fi
