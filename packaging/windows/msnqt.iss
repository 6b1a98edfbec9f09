; Inno Setup 6 script for msnqt on Windows (x64). Built by packaging/windows/build-windows.ps1, which
; freezes dist\msnqt with packaging/msnqt.spec first and passes the version from pyproject.toml:
;
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\msnqt.iss
;
; Produces dist\msnqt-<version>-windows-x64-setup.exe. Paths are relative to this file.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: ISCC /DAppVersion=X.Y.Z packaging\windows\msnqt.iss
#endif

[Setup]
; Keep AppId forever: it is how Windows knows that a new version upgrades the old one.
AppId={{6F1C3C2E-5B8A-4D7E-9E41-2A6C0B7D9F13}
AppName=msnqt
AppVersion={#AppVersion}
AppVerName=msnqt {#AppVersion}
AppPublisher=the msnqt authors
AppComments=A faithful MSN Messenger 1.0 replica with its own MSNP2 server
DefaultDirName={autopf}\msnqt
DefaultGroupName=msnqt
DisableProgramGroupPage=yes
; Per-user install by default (no UAC prompt); the user may choose "all users" in the first dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile=msnqt.ico
UninstallDisplayIcon={app}\msnqt.exe
UninstallDisplayName=msnqt {#AppVersion}
OutputDir=..\..\dist
OutputBaseFilename=msnqt-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add msnqt-server and msnqt-cli to PATH (for the command line)"; Flags: unchecked

[Files]
; The whole onedir bundle: msnqt.exe (windowed), msnqt-server.exe, msnqt-cli.exe and _internal\.
Source: "..\..\dist\msnqt\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\msnqt"; Filename: "{app}\msnqt.exe"; Comment: "MSN Messenger 1.0, as it was"
Name: "{autoprograms}\msnqt (demo)"; Filename: "{app}\msnqt.exe"; Parameters: "--demo"; Comment: "Try msnqt offline with demo contacts"
Name: "{autodesktop}\msnqt"; Filename: "{app}\msnqt.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\msnqt.exe"; Description: "{cm:LaunchProgram,msnqt}"; Flags: nowait postinstall skipifsilent

[Code]
{ PATH handling for the "addtopath" task: append {app} to the user's (or, for an all-users install,
  the machine's) PATH once, and take exactly that entry out again on uninstall. }

function EnvironmentRoot: Integer;
begin
  if IsAdminInstallMode then Result := HKEY_LOCAL_MACHINE else Result := HKEY_CURRENT_USER;
end;

function EnvironmentKey: String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function PathHas(const Paths, Dir: String): Boolean;
begin
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') > 0;
end;

procedure AddToPath(const Dir: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths) then Paths := '';
  if PathHas(Paths, Dir) then Exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then Paths := Paths + ';';
  RegWriteExpandStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths + Dir);
end;

procedure RemoveFromPath(const Dir: String);
var
  Paths: String;
  P: Integer;
begin
  if not RegQueryStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths) then Exit;
  Paths := ';' + Paths + ';';
  P := Pos(';' + Uppercase(Dir) + ';', Uppercase(Paths));
  if P = 0 then Exit;
  Delete(Paths, P, Length(Dir) + 1);
  Paths := Copy(Paths, 2, Length(Paths) - 2);
  RegWriteExpandStringValue(EnvironmentRoot, EnvironmentKey, 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
