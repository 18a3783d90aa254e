<#
.SYNOPSIS
    Starts the WorkflowAutomation daemon at boot as a scheduled task (Windows), or as a
    crontab @reboot entry (Linux and macOS without systemd).
.DESCRIPTION
    The task runs `Start-WorkflowDaemon -Foreground` as the current user, so the daemon uses
    that user's state directory. The task scheduler restarts it after a failure, up to ten
    times, a minute apart; Get-WorkflowDaemon shows it once it is up.
.EXAMPLE
    ./Register-WorkflowDaemonTask.ps1
    Registers the task (Windows) or the @reboot line (Linux, macOS) for the current user.
.EXAMPLE
    ./Register-WorkflowDaemonTask.ps1 -Unregister
    Removes it again.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $TaskName = 'WorkflowAutomation daemon',
    [switch] $Unregister
)
$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$arguments = '-NoProfile -NonInteractive -WindowStyle Hidden -Command "Import-Module WorkflowAutomation; Start-WorkflowDaemon -Foreground"'

if ($IsWindows) {
    if ($Unregister) {
        if ($PSCmdlet.ShouldProcess($TaskName, 'Unregister the scheduled task')) { Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false }
        return
    }
    $action = New-ScheduledTaskAction -Execute $pwsh -Argument $arguments
    $trigger = New-ScheduledTaskTrigger -AtStartup
    # Restart after a failure, like systemd's Restart=on-failure; never stop a long-running daemon.
    $settings = New-ScheduledTaskSettingsSet -RestartCount 10 -RestartInterval (New-TimeSpan -Minutes 1) `
        -ExecutionTimeLimit ([TimeSpan]::Zero) -StartWhenAvailable -MultipleInstances IgnoreNew
    $principal = New-ScheduledTaskPrincipal -UserId ([Security.Principal.WindowsIdentity]::GetCurrent().Name) -LogonType S4U
    if ($PSCmdlet.ShouldProcess($TaskName, 'Register the scheduled task')) {
        Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings -Principal $principal -Force
    }
    return
}

# Without systemd: cron starts it at boot detached; its own supervisor restarts it after a crash.
$line = "@reboot $pwsh -NoProfile -NonInteractive -Command 'Import-Module WorkflowAutomation; Start-WorkflowDaemon' # $TaskName"
$current = @(crontab -l 2>$null | Where-Object { $_ -notlike "*# $TaskName" })
$updated = if ($Unregister) { $current } else { $current + $line }
if ($PSCmdlet.ShouldProcess('crontab', ($Unregister ? 'Remove' : 'Add') + " the @reboot line for $TaskName")) {
    $updated | crontab -
}
