"""Build the optional native kernel (dagnet.native._kernel); everything else is in pyproject.toml.

The kernel needs only a C compiler and the Python headers. When either is
missing, or the build fails for any reason, the install goes on without it
and dagnet runs its numpy engine (``dagnet --version`` says which runs).

Flags are probed on the building machine: ``-O3 -march=native`` when the
compiler takes it (set ``DAGNET_PORTABLE=1`` for a build that runs on any
CPU of the architecture), and glibc's libmvec (a vectorised exp) when
the target has AVX2 and the library links. ``DAGNET_NO_NATIVE=1`` skips
the kernel altogether.
"""
import os
import sys
import tempfile

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
KERNEL = "dagnet.native._kernel"

AVX2_PROBE = """
#include <immintrin.h>
__m256d _ZGVdN4v_exp(__m256d);
#ifndef __AVX2__
#error no AVX2
#endif
int main(void) {
    double out[4];
    _mm256_storeu_pd(out, _ZGVdN4v_exp(_mm256_set1_pd(0.5)));
    return out[0] > 0.0 ? 0 : 1;
}
"""


def say(message):
    print(f"dagnet: {message}", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """Build the kernel with the best flags this machine takes; never fail the install."""

    def compiles(self, flags, source="int main(void) { return 0; }\n", libraries=(), link=False):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "probe.c")
            with open(path, "w") as f:
                f.write(source)
            try:
                objects = self.compiler.compile([path], output_dir=folder, extra_postargs=list(flags))
                if link:
                    self.compiler.link_executable(objects, os.path.join(folder, "probe"),
                                                  libraries=list(libraries), extra_postargs=list(flags))
            except Exception:
                return False
        return True

    def build_extensions(self):
        if os.environ.get("DAGNET_NO_NATIVE"):
            say("DAGNET_NO_NATIVE is set: not building the native kernel; dagnet runs its numpy engine")
            return
        try:
            flags = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-std=gnu99"]
            if not self.compiles(flags):
                flags = []
                if not self.compiles(flags):
                    say("no working C compiler: not building the native kernel; dagnet will run its "
                        "numpy engine")
                    self.extensions = []
                    return
            if not os.environ.get("DAGNET_PORTABLE") and self.compiles(flags + ["-march=native"]):
                flags.append("-march=native")
            ext = self.extensions[0]
            if self.compiles(flags, AVX2_PROBE, libraries=["mvec", "m"], link=True):
                ext.define_macros.append(("DAGNET_LIBMVEC", "1"))
                ext.libraries += ["mvec", "m"]
            ext.extra_compile_args = flags
            ext.libraries += ["pthread"] if os.name == "posix" else []
            super().build_extensions()
        except Exception as err:   # no compiler, no headers, anything: the numpy engine stays
            say(f"could not build the native kernel ({err}); dagnet will run its numpy engine")
            self.extensions = []

    def run(self):
        try:
            super().run()
        except Exception as err:
            say(f"could not build the native kernel ({err}); dagnet will run its numpy engine")

    def get_outputs(self):
        return [p for p in super().get_outputs() if os.path.exists(p)] if self.extensions else []


setup(
    ext_modules=[Extension(KERNEL, sources=["dagnet/native/kernel.c"],
                           depends=["dagnet/native/batch.h", "dagnet/native/tile.h",
                                    "dagnet/native/optimizers.h", "dagnet/native/vmath.h",
                                    "dagnet/native/activations.h"])],
    cmdclass={"build_ext": OptionalBuildExt},
)
