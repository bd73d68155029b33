"""cellsim/_kernels.py: the numba cache of a kernel module follows the files its kernels call."""

from cellsim._kernels import refresh_cache


def _cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("_kernels.step_up-1.py311.nbi", "_kernels.step_up-1.py311.1.nbc", "other.nbi"):
        (cache / name).write_text("x")
    return cache


def test_the_cache_is_dropped_when_a_called_module_changes(tmp_path):
    """numba does not see edits of the kernels a cached kernel compiled in; refresh_cache does."""
    dep = tmp_path / "transport_kernels.py"
    dep.write_text("v1")
    cache = _cache(tmp_path)
    assert refresh_cache(cache, dep) is True           # no fingerprint yet: dropped
    assert sorted(p.name for p in cache.iterdir()) == ["_kernels.depends.sha1", "other.nbi"]
    (cache / "_kernels.step_up-1.py311.nbi").write_text("x")
    assert refresh_cache(cache, dep) is False          # unchanged: kept
    assert (cache / "_kernels.step_up-1.py311.nbi").exists()
    dep.write_text("v2")
    assert refresh_cache(cache, dep) is True           # changed: dropped
    assert not (cache / "_kernels.step_up-1.py311.nbi").exists()
    assert refresh_cache(cache, tmp_path / "missing.py") is False   # file trouble: no error


def test_every_dependency_counts(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("a1")
    b.write_text("b1")
    cache = _cache(tmp_path)
    assert refresh_cache(cache, a, b) is True
    (cache / "_kernels.x-1.py311.nbi").write_text("x")
    assert refresh_cache(cache, a, b) is False
    b.write_text("b2")                                  # the second file changed
    assert refresh_cache(cache, a, b) is True and not (cache / "_kernels.x-1.py311.nbi").exists()


def test_the_kernel_modules_keep_a_fingerprint():
    """Each kernel module that calls kernels of another file has registered exactly those files:
    the fingerprint in its numba cache directory is the SHA-1 of them (written at import)."""
    import hashlib
    from pathlib import Path

    import pytest

    import cellsim._kernels as shared
    import cellsim.circuits._kernels as ck
    import cellsim.fitting._kernels as fk
    import cellsim.shortcircuit._kernels as sk
    import cellsim.transport._kernels as tk

    for fn, deps in ((ck.ctanh, [shared]), (tk.run_modal_step, [shared]), (fk.residuals, [ck, shared]),
                     (sk.step_up, [tk, shared])):
        d = Path(fn._cache._cache_path)
        if not d.is_dir():
            pytest.skip(f"no numba cache directory {d} (bytecode not written)")
        h = hashlib.sha1()
        for m in deps:
            h.update(Path(m.__file__).read_bytes())
        assert (d / "_kernels.depends.sha1").read_text().strip() == h.hexdigest(), fn.__name__
