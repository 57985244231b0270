"""Pickle files with numpy arrays, as detectron2's .pkl model files come (tools for NumpyPicklesTest).

Run twice: with numpy 1 (/usr/bin/python3: numpy.core names) and numpy 2 (/work/venv/bin/python: numpy._core names).
Each run writes its files into engine-api/src/test/resources/fixtures/pkl/:
  numpy 1: d2_py2.pkl (Python 2 style: str and array data as BINSTRING, read with encoding="latin1"),
           d2_p2.pkl (Python 3 protocol 2: array bytes as _codecs.encode(str, "latin1")), d2_p4.pkl, evil.pkl
  numpy 2: d2_p5_np2.pkl (protocol 5: numpy._core.numeric._frombuffer over an in-band bytearray)
Every file holds {"model": ARRAYS, "__author__": "maskseg-test", "matching_heuristics": True}; the values are
fixed so the Java test can assert them.
"""
import io
import os
import pickle
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "engine-api", "src", "test", "resources", "fixtures", "pkl")


def arrays():
    return {
        "stem.conv1.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
        "double": np.array([1.5, -2.25, 1e300, 0.0]),
        "long": np.array([1, -2, 1 << 40], dtype=np.int64),
        "int": np.array([7, -8], dtype=np.int32),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(3, 2)),
        "big_endian": np.array([1.0, -3.5, 65504.0], dtype=">f4"),
        "half": np.array([1.5, -2.25], dtype=np.float16),
        "bytes": np.array([0, 128, 255], dtype=np.uint8),
        "mask": np.array([True, False, True]),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }


def content():
    return {"model": arrays(), "__author__": "maskseg-test", "matching_heuristics": True}


class Py2StylePickler(pickle._Pickler):
    """Writes bytes and str as Python 2's str (SHORT_BINSTRING / BINSTRING), as cPickle did."""
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_py2str
    dispatch[str] = save_py2str


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print("wrote", name, len(data), "bytes")


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def main():
    os.makedirs(OUT, exist_ok=True)
    if np.__version__.startswith("1."):
        buf = io.BytesIO()
        Py2StylePickler(buf, protocol=2).dump(content())
        write("d2_py2.pkl", buf.getvalue())
        write("d2_p2.pkl", pickle.dumps(content(), protocol=2))
        write("d2_p4.pkl", pickle.dumps(content(), protocol=4))
        write("evil.pkl", pickle.dumps({"model": {"w": Evil()}}, protocol=2))
        back = pickle.loads(open(os.path.join(OUT, "d2_py2.pkl"), "rb").read(), encoding="latin1")
        assert np.array_equal(back["model"]["fortran"], arrays()["fortran"]), "py2-style file does not read back"
    else:
        write("d2_p5_np2.pkl", pickle.dumps(content(), protocol=5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
