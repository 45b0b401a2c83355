#!/usr/bin/env python3
# The data test of the browser extension: each zip the build made
# (haul-chromium.zip, haul-firefox.zip) holds a valid Manifest V3 manifest
# for its browser, every file the manifest and popup.html name, and every
# message it uses (__MSG_x__ in the manifest and the HTML, data-i18n="x",
# getMessage('x') / msg('x') in the scripts) exists in every locale; every
# locale has exactly the English messages, with the same placeholders.
#
# usage: check-extension.py ZIP...
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import re
import sys
import zipfile

LOCALES = ['en', 'de', 'fr', 'es']
ICON_SIZES = ['16', '32', '48', '128']

errors = []


def fail(zip_name, text):
    errors.append(f'{zip_name}: {text}')


def messages_used(z):
    used = set()
    for name in z.namelist():
        if not name.endswith(('.json', '.html', '.js')) or name.startswith('_locales/'):
            continue
        text = z.read(name).decode('utf-8')
        used.update((m, name) for m in re.findall(r'__MSG_(\w+)__', text))
        used.update((m, name) for m in re.findall(r'data-i18n="(\w+)"', text))
        used.update((m, name) for m in re.findall(r"(?:getMessage|msg)\(\s*'(\w+)'", text))
        if name.endswith('.js'):
            # Message names kept in tables, e.g. { added: 'resultAdded' }.
            used.update((m, name) for m in re.findall(r":\s*'((?:result|status|switch|pair|code)[A-Z]\w*)'", text))
    return used


def check_locales(zip_name, z):
    catalogs = {}
    for lang in LOCALES:
        path = f'_locales/{lang}/messages.json'
        try:
            catalogs[lang] = json.loads(z.read(path).decode('utf-8'))
        except KeyError:
            fail(zip_name, f'{path} is missing')
        except (ValueError, UnicodeDecodeError) as e:
            fail(zip_name, f'{path} is not valid UTF-8 JSON: {e}')
    if 'en' not in catalogs:
        return
    english = catalogs['en']
    for lang, catalog in catalogs.items():
        if set(catalog) != set(english):
            fail(zip_name, f'{lang}: messages differ from en: missing {sorted(set(english) - set(catalog))}, '
                           f'extra {sorted(set(catalog) - set(english))}')
        for key, entry in catalog.items():
            text = entry.get('message') if isinstance(entry, dict) else None
            if not isinstance(text, str) or text.strip() == '':
                fail(zip_name, f'{lang}: {key} has no message')
                continue
            wanted = set(re.findall(r'\$(\w+)\$', english.get(key, {}).get('message', '')))
            got = set(re.findall(r'\$(\w+)\$', text))
            if got != wanted:
                fail(zip_name, f'{lang}: {key} has placeholders {sorted(got)}, en has {sorted(wanted)}')
            declared = set(p.upper() for p in entry.get('placeholders', {}))
            if {p.upper() for p in got} != declared:
                fail(zip_name, f'{lang}: {key} uses placeholders {sorted(got)} but declares {sorted(declared)}')
    for key, where in sorted(messages_used(z)):
        for lang, catalog in catalogs.items():
            if key not in catalog:
                fail(zip_name, f'{where} uses the message {key}, which {lang} lacks')


def check_manifest(zip_name, z, browser):
    try:
        manifest = json.loads(z.read('manifest.json').decode('utf-8'))
    except KeyError:
        fail(zip_name, 'no manifest.json')
        return
    except ValueError as e:
        fail(zip_name, f'manifest.json is not valid JSON: {e}')
        return
    names = set(z.namelist())

    def need(path, why):
        if path not in names:
            fail(zip_name, f'{why} names {path}, which is not in the zip')

    if manifest.get('manifest_version') != 3:
        fail(zip_name, 'manifest_version is not 3')
    if not re.fullmatch(r'\d+(\.\d+){0,3}', str(manifest.get('version', ''))):
        fail(zip_name, f'version {manifest.get("version")!r} is not 1-4 dot-separated integers')
    if manifest.get('default_locale') != 'en':
        fail(zip_name, 'default_locale is not en')
    for key in ['name', 'description']:
        if not isinstance(manifest.get(key), str) or manifest[key] == '':
            fail(zip_name, f'no {key}')
    for size in ICON_SIZES:
        icon = manifest.get('icons', {}).get(size)
        if icon is None:
            fail(zip_name, f'no {size} px icon')
        else:
            need(icon, 'icons')
            png = z.read(icon) if icon in names else b''
            if png[:8] != b'\x89PNG\r\n\x1a\n':
                fail(zip_name, f'{icon} is not a PNG')
            elif int.from_bytes(png[16:20], 'big') != int(size):
                fail(zip_name, f'{icon} is not {size} px wide')
    action = manifest.get('action', {})
    need(action.get('default_popup', ''), 'action.default_popup')
    for icon in action.get('default_icon', {}).values():
        need(icon, 'action.default_icon')
    for script in manifest.get('content_scripts', []):
        for js in script.get('js', []):
            need(js, 'content_scripts')
    for permission in ['downloads', 'cookies', 'storage', 'contextMenus']:
        if permission not in manifest.get('permissions', []):
            fail(zip_name, f'permission {permission} is missing')

    background = manifest.get('background', {})
    if browser == 'chromium':
        if set(background) != {'service_worker'}:
            fail(zip_name, f'background should be a service_worker only, is {background}')
        need(background.get('service_worker', ''), 'background.service_worker')
        if 'browser_specific_settings' in manifest:
            fail(zip_name, 'Chromium rejects browser_specific_settings')
    else:
        if 'service_worker' in background or not background.get('scripts'):
            fail(zip_name, f'background should be scripts, is {background}')
        for js in background.get('scripts', []):
            need(js, 'background.scripts')
        gecko = manifest.get('browser_specific_settings', {}).get('gecko', {})
        if not re.fullmatch(r'[\w.-]+@[\w.-]+', gecko.get('id', '')):
            fail(zip_name, f'no valid browser_specific_settings.gecko.id: {gecko.get("id")!r}')

    html = z.read('popup.html').decode('utf-8') if 'popup.html' in names else ''
    for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
        need(ref, 'popup.html')


def main():
    if len(sys.argv) < 2:
        raise SystemExit('usage: check-extension.py ZIP...')
    for zip_name in sys.argv[1:]:
        browser = 'firefox' if 'firefox' in zip_name.rsplit('/', 1)[-1] else 'chromium'
        try:
            with zipfile.ZipFile(zip_name) as z:
                check_manifest(zip_name, z, browser)
                check_locales(zip_name, z)
        except (OSError, zipfile.BadZipFile) as e:
            fail(zip_name, f'cannot read: {e}')
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        sys.exit(1)
    print(f'ok: {len(sys.argv) - 1} extension zips')


if __name__ == '__main__':
    main()
