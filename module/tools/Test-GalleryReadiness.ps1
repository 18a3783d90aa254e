<#
.SYNOPSIS
    Checks a WorkflowAutomation .nupkg the way PowerShell galleries do before they accept it.
.DESCRIPTION
    Writes one finding (Rule, Message) per problem and nothing when the package is ready:
    the manifest passes Test-ModuleManifest and Update-ModuleManifest; the gallery metadata
    is there (author, description, licence, project and icon URIs, tags, release notes);
    exports are explicit; the package carries exactly the files its FileList names; every
    cmdlet has help with a synopsis, an example and described parameters; the nuspec,
    the manifest and the assemblies carry one version. Run it in a child pwsh: it imports
    the packaged module.
.EXAMPLE
    pwsh -NoProfile -File module/tools/Test-GalleryReadiness.ps1 -PackagePath out/WorkflowAutomation.0.1.0.nupkg
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $PackagePath)
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.IO.Compression.FileSystem

function Finding([string] $Rule, [string] $Message) { [pscustomobject]@{ Rule = $Rule; Message = $Message } }

$extracted = Join-Path ([IO.Path]::GetTempPath()) ('wa-gallery-' + [guid]::NewGuid().ToString('n'))
[IO.Compression.ZipFile]::ExtractToDirectory((Resolve-Path $PackagePath), $extracted)
try {
    # What NuGet adds around the module: not module files.
    $packaging = '^(\[Content_Types\]\.xml|_rels/.*|package/.*|[^/]+\.nuspec)$'
    $files = Get-ChildItem $extracted -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($extracted, $_.FullName) -replace '\\', '/' } |
        Where-Object { $_ -notmatch $packaging }
    $nuspecFile = Get-ChildItem $extracted -Filter *.nuspec | Select-Object -First 1
    $manifestPath = Join-Path $extracted 'WorkflowAutomation.psd1'
    if (-not (Test-Path $manifestPath)) { Finding 'ManifestMissing' 'The package has no WorkflowAutomation.psd1 at its root.'; return }
    $data = Import-PowerShellDataFile $manifestPath
    $psData = $data.PrivateData.PSData

    try { $null = Test-ModuleManifest $manifestPath -ErrorAction Stop }
    catch { Finding 'TestModuleManifest' "Test-ModuleManifest: $($_.Exception.Message)" }

    foreach ($key in 'Author', 'Description', 'GUID', 'PowerShellVersion', 'Copyright') {
        if (-not $data[$key]) { Finding "Missing$key" "The manifest has no $key." }
    }
    if ($data.ModuleVersion -notmatch '^\d+\.\d+\.\d+$') { Finding 'ModuleVersion' "ModuleVersion '$($data.ModuleVersion)' is not major.minor.patch." }
    if ('Core' -notin $data.CompatiblePSEditions) { Finding 'CompatiblePSEditions' 'CompatiblePSEditions does not name Core.' }
    foreach ($key in 'LicenseUri', 'ProjectUri', 'IconUri') {
        $uri = $null
        if (-not $psData[$key]) { Finding "Missing$key" "PrivateData.PSData has no $key." }
        elseif (-not [Uri]::TryCreate($psData[$key], 'Absolute', [ref] $uri) -or $uri.Scheme -ne 'https') { Finding $key "$key '$($psData[$key])' is not an absolute https URI." }
    }
    if (-not $psData.Tags) { Finding 'MissingTags' 'PrivateData.PSData has no Tags.' }
    $psData.Tags | Where-Object { $_ -match '\s' } | ForEach-Object { Finding 'Tags' "Tag '$_' contains white space; galleries split tags on it." }
    if (-not "$($psData.ReleaseNotes)".Trim()) { Finding 'MissingReleaseNotes' 'PrivateData.PSData has no ReleaseNotes.' }
    if ($psData.Prerelease -and $psData.Prerelease -notmatch '^[A-Za-z][A-Za-z0-9]*$') { Finding 'Prerelease' "Prerelease '$($psData.Prerelease)' must be letters and digits only." }
    if (-not $data.CmdletsToExport -or $data.CmdletsToExport -contains '*') { Finding 'CmdletsToExport' 'CmdletsToExport must list the cmdlets (no wildcard), so the gallery can index them.' }
    foreach ($key in 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
        if ($null -eq $data[$key] -or $data[$key] -contains '*') { Finding $key "$key must be an explicit list (@() for none), not missing or a wildcard." }
    }

    # The package carries exactly the files the manifest lists.
    $listed = @($data.FileList | ForEach-Object { $_ -replace '\\', '/' })
    $files | Where-Object { $_ -notin $listed } | ForEach-Object { Finding 'UnlistedFile' "The package carries '$_', which the manifest's FileList does not name." }
    $listed | Where-Object { $_ -notin $files } | ForEach-Object { Finding 'MissingFile' "The manifest's FileList names '$_', which the package does not carry." }
    if ('LICENSE' -notin $files) { Finding 'MissingLicenseFile' 'The package carries no LICENSE file.' }

    # One version: nuspec, manifest (with its prerelease label) and the assemblies.
    $expected = $data.ModuleVersion + ($psData.Prerelease ? "-$($psData.Prerelease)" : '')
    if ($nuspecFile) {
        $nuspecVersion = ([xml](Get-Content $nuspecFile.FullName -Raw)).package.metadata.version
        if ($nuspecVersion -ne $expected) { Finding 'NuspecVersion' "The nuspec says $nuspecVersion, the manifest $expected." }
    }
    else { Finding 'NuspecMissing' 'The package has no .nuspec.' }
    foreach ($assembly in Get-ChildItem $extracted -Recurse -Filter 'WorkflowAutomation.*.dll') {
        $version = [Reflection.AssemblyName]::GetAssemblyName($assembly.FullName).Version
        if ("$($version.Major).$($version.Minor).$($version.Build)" -ne $data.ModuleVersion) {
            Finding 'AssemblyVersion' "$($assembly.Name) is version $version, the manifest $($data.ModuleVersion)."
        }
    }

    # Update-ModuleManifest rewrites and re-validates the manifest, as publishing tools do.
    $copy = Join-Path $extracted 'UpdateCheck.psd1'
    try {
        Copy-Item $manifestPath $copy
        Update-ModuleManifest -Path $copy -ReleaseNotes $psData.ReleaseNotes -ErrorAction Stop
    }
    catch { Finding 'UpdateModuleManifest' "Update-ModuleManifest: $($_.Exception.Message)" }
    finally { Remove-Item $copy -ErrorAction Ignore }

    # Help: every cmdlet has a synopsis of its own, an example and described parameters.
    $module = Import-Module $manifestPath -PassThru -Force
    foreach ($name in $module.ExportedCmdlets.Keys) {
        $help = Get-Help $name -Full
        if (-not "$($help.Synopsis)".Trim() -or "$($help.Synopsis)".Trim().StartsWith($name)) { Finding 'HelpSynopsis' "$name has no synopsis in its help." }
        if (-not $help.examples -or -not @($help.examples.example).Count) { Finding 'HelpExample' "$name has no example in its help." }
        foreach ($parameter in @($help.parameters.parameter)) {
            if ($parameter -and -not "$($parameter.description.Text)".Trim()) { Finding 'HelpParameter' "$name -$($parameter.name) has no description in its help." }
        }
    }
    Remove-Module $module
}
finally {
    Remove-Item $extracted -Recurse -Force -ErrorAction Ignore
}
