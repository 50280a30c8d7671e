#!/usr/bin/env python3
"""meson install's step for the manual pages berth-man.py wrote: every
berth*.1 in BUILDDIR into MANDIR (relative to the prefix, or absolute),
under $DESTDIR.  usage: install-man.py BUILDDIR MANDIR"""
import glob
import os
import shutil
import sys

builddir, mandir = sys.argv[1:3]
prefix = os.environ["MESON_INSTALL_DESTDIR_PREFIX"]
if os.path.isabs(mandir):
    # an absolute mandir is still under DESTDIR
    dest = os.environ.get("DESTDIR", "") + mandir
else:
    dest = os.path.join(prefix, mandir)
os.makedirs(dest, exist_ok=True)
pages = sorted(glob.glob(os.path.join(builddir, "berth*.1")))
if not pages:
    sys.exit("install-man.py: no manual pages in " + builddir)
for page in pages:
    shutil.copyfile(page, os.path.join(dest, os.path.basename(page)))
    os.chmod(os.path.join(dest, os.path.basename(page)), 0o644)
    if not os.environ.get("MESON_INSTALL_QUIET"):
        print("Installing", page, "to", dest)
