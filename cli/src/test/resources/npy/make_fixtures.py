"""Writes the .npy/.npz fixtures of NpyTest with NumPy itself (the reference), run from this folder:
python3 make_fixtures.py. Written with NumPy 2.4.6; the values are formulas NpyTest recomputes."""
import numpy as np

np.save("f4_2x3.npy", (np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1))
np.save("i1_4.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
np.save("u1_2x2.npy", np.array([[0, 1], [254, 255]], dtype=np.uint8))
np.save("i4_scalar.npy", np.array(-7, dtype="<i4"))
np.save("i8_3.npy", np.array([-(2**62), 0, 2**40 + 3], dtype="<i8"))
np.save("b1_3.npy", np.array([True, False, True]))
np.save("f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
with open("f4_v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(4, dtype="<f4"), version=(2, 0))
np.save("f4_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
np.save("f4_big_endian.npy", np.arange(3, dtype=">f4"))
np.save("f8_3.npy", np.arange(3, dtype="<f8"))
np.save("f2_2x2.npy", np.array([[0.1, -65504], [np.inf, 1.5]], dtype="<f2"))
np.save("u2_3.npy", np.arange(3, dtype="<u2"))
np.save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
x = np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1
ids = np.array([[101, 2023, 102]], dtype="<i8")
np.savez("stored.npz", x=x, ids=ids)
np.savez_compressed("deflated.npz", x=x, ids=ids)
