#!/usr/bin/env python3
# Builds the extension for one browser: writes OUTDIR/BROWSER/ (the unpacked
# extension, to load with "Load unpacked" or "Load Temporary Add-on") and
# OUTDIR/haul-BROWSER.zip (the same files). The only difference between the
# browsers is the manifest's background and Firefox's add-on id.
#
# usage: build-extension.py SRCDIR OUTDIR BROWSER VERSION
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import sys
import zipfile

# Everything the extension is made of (PROTOCOL.md, the icon's SVG and
# these scripts stay out).
FILES = [
    'background.js', 'common.js', 'content.js',
    'popup.html', 'popup.js', 'popup.css',
    'icons/haul-16.png', 'icons/haul-32.png', 'icons/haul-48.png', 'icons/haul-128.png',
    '_locales/en/messages.json', '_locales/de/messages.json',
    '_locales/fr/messages.json', '_locales/es/messages.json',
]

GECKO = {
    'id': 'haul@haulapp.github.io',
    'strict_min_version': '115.0',
    'data_collection_permissions': {'required': ['none']},
}


def manifest_for(srcdir, browser, version):
    with open(os.path.join(srcdir, 'manifest.base.json'), encoding='utf-8') as f:
        manifest = json.load(f)
    manifest['version'] = version
    if browser == 'chromium':
        manifest['background'] = {'service_worker': 'background.js'}
        manifest['minimum_chrome_version'] = '116'
    elif browser == 'firefox':
        manifest['background'] = {'scripts': ['common.js', 'background.js']}
        manifest['browser_specific_settings'] = {'gecko': GECKO}
    else:
        raise SystemExit(f'unknown browser {browser!r}: chromium or firefox')
    return manifest


def main():
    if len(sys.argv) != 5:
        raise SystemExit('usage: build-extension.py SRCDIR OUTDIR BROWSER VERSION')
    srcdir, outdir, browser, version = sys.argv[1:]
    manifest = json.dumps(manifest_for(srcdir, browser, version), indent=2, ensure_ascii=False) + '\n'

    unpacked = os.path.join(outdir, browser)
    shutil.rmtree(unpacked, ignore_errors=True)
    for name in FILES:
        target = os.path.join(unpacked, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(srcdir, name), target)
    with open(os.path.join(unpacked, 'manifest.json'), 'w', encoding='utf-8') as f:
        f.write(manifest)

    # Fixed dates and modes: the same sources make the same zip.
    zip_path = os.path.join(outdir, f'haul-{browser}.zip')
    with zipfile.ZipFile(zip_path + '.tmp', 'w', zipfile.ZIP_DEFLATED) as z:
        for name in ['manifest.json'] + FILES:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(unpacked, name), 'rb') as f:
                z.writestr(info, f.read())
    os.replace(zip_path + '.tmp', zip_path)


if __name__ == '__main__':
    main()
