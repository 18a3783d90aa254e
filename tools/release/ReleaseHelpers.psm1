# Shared by the release scripts: PSResourceGet settings kept inside an isolated home, and
# what a folder feed holds. A folder feed stands in for a gallery: each .nupkg in it is a
# listed version; unlisting moves the file into its 'unlisted' subfolder, as a gallery
# hides a version from searches and installs without deleting it.

function Use-IsolatedResourceHome([Parameter(Mandatory)] [string] $Path) {
    # Repository registrations and installed modules land here, never in the user's own home.
    $env:HOME = $Path
    $env:XDG_DATA_HOME = Join-Path $Path '.local/share'
    $env:XDG_CONFIG_HOME = Join-Path $Path '.config'
    $env:LOCALAPPDATA = Join-Path $Path 'AppData'
    $env:PSModulePath = $null
    # .NET reports a per-user folder only once it exists.
    $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:LOCALAPPDATA | ForEach-Object { New-Item -ItemType Directory -Force $_ | Out-Null }
}

function ConvertTo-PackageVersion([string] $Text) {
    # 1.2.0 or 1.2.0-rc1 as something that sorts: a release above its prereleases.
    if ($Text -notmatch '^(?<version>\d+\.\d+\.\d+)(-(?<label>[A-Za-z0-9]+))?$') { throw "'$Text' is not a package version such as 1.2.0 or 1.2.0-rc1." }
    [pscustomobject]@{ Text = $Text; Version = [version]$Matches.version; Label = $Matches['label'] }
}

function Compare-PackageVersion($Left, $Right) {
    # -1, 0 or 1, by semantic-version precedence (a prerelease label sorts before the release).
    if ($Left.Version -ne $Right.Version) { return $Left.Version.CompareTo($Right.Version) }
    if ($Left.Label -eq $Right.Label) { return 0 }
    if (-not $Left.Label) { return 1 }
    if (-not $Right.Label) { return -1 }
    [string]::CompareOrdinal($Left.Label, $Right.Label) -lt 0 ? -1 : 1
}

function Get-FeedPackage([Parameter(Mandatory)] [string] $Feed, [string] $Name = 'WorkflowAutomation') {
    # The listed versions of a folder feed, newest first, read from the .nupkg names.
    $packages = [System.Collections.Generic.List[object]]::new()
    foreach ($file in Get-ChildItem $Feed -Filter "$Name.*.nupkg" -File -ErrorAction Ignore) {
        $version = ConvertTo-PackageVersion ($file.Name.Substring($Name.Length + 1) -replace '\.nupkg$', '')
        $packages.Add(($version | Add-Member -NotePropertyName Path -NotePropertyValue $file.FullName -PassThru))
    }
    $packages.Sort([Comparison[object]] { param($a, $b) Compare-PackageVersion $b $a })
    $packages
}

function Write-StepOutput([string] $Name, [string] $Value) {
    # A workflow step's output (WORKFLOW_OUTPUT) or a GitHub Actions step output, when either is there.
    foreach ($file in $env:WORKFLOW_OUTPUT, $env:GITHUB_OUTPUT) {
        if ($file) { Add-Content -Path $file -Value "$Name=$Value" }
    }
}

Export-ModuleMember -Function Use-IsolatedResourceHome, ConvertTo-PackageVersion, Compare-PackageVersion, Get-FeedPackage, Write-StepOutput
