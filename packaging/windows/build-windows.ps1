# Build the Windows installer (run from any directory, in PowerShell, on Windows 10/11 x64):
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build-windows.ps1
#
# Needs Python 3.11+ (the py launcher) and Inno Setup 6 (ISCC.exe). See packaging/README.md.
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..\..')

if (-not (Test-Path .venv\Scripts\python.exe)) { py -3.11 -m venv .venv }
$py = '.venv\Scripts\python.exe'
# requirements/lock.txt pins Linux wheels only; see packaging/README.md for a Windows lock.
if (Test-Path requirements\lock-windows.txt) {
    & $py -m pip install --require-hashes -r requirements\lock-windows.txt
} else {
    & $py -m pip install '.[build]'
}
if ($LASTEXITCODE) { throw 'pip install failed' }
& $py -m pip install --no-deps -e .
if ($LASTEXITCODE) { throw 'pip install failed' }

$version = & $py -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
& $py packaging\make_platform_icons.py
if ($LASTEXITCODE) { throw 'could not render the icons (is resources\icons\app.svg there?)' }

& .venv\Scripts\pyinstaller.exe --noconfirm --clean --distpath dist --workpath build\pyinstaller-windows packaging\msnqt.spec
if ($LASTEXITCODE) { throw 'PyInstaller failed' }
$frozen = & dist\msnqt\msnqt-server.exe --version
if ($frozen -ne "msnqt-server $version") { throw "frozen bundle reports '$frozen', expected $version" }

$iscc = Join-Path ${env:ProgramFiles(x86)} 'Inno Setup 6\ISCC.exe'
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 not found at $iscc" }
& $iscc "/DAppVersion=$version" packaging\windows\msnqt.iss
if ($LASTEXITCODE) { throw 'ISCC failed' }
Write-Host "dist\msnqt-$version-windows-x64-setup.exe"
