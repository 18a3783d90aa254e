using System.Runtime.InteropServices;
using System.Text;
using WorkflowAutomation.Processes;

namespace WorkflowAutomation.Parallel;

/// <summary>
/// The native buffers one worker thread reuses for every process it starts in a batch: the
/// spawn attributes (set up once), the file actions, the <c>envp</c> array with its token
/// slot, and the token's <c>NAME=value</c> string. Starting a process then allocates nothing
/// native, and the child resets only the signals this process ignores (exec resets every
/// caught one by itself), instead of calling sigaction for all 64.
/// </summary>
internal sealed class SpawnAttributes
{
    private const short SetSignalDefaults = 0x04;
    private const short SetSignalMask = 0x08;
    private const int SignalCount = 64;
    private const nint SigIgn = 1;
    // Opaque glibc structures: generously sized (posix_spawn_file_actions_t is 80 bytes,
    // posix_spawnattr_t 336, sigset_t 128, struct sigaction 152).
    private const int ActionsSize = 512;
    private const int AttributesSize = 1024;
    private const int SignalSetSize = 256;

    private static readonly byte[] TokenPrefix = Encoding.ASCII.GetBytes(ProcessTree.TokenVariable + "=");

    [ThreadStatic]
    private static SpawnAttributes? current;

    private readonly NativeEnvironment environment;
    private readonly IntPtr attributes;
    private readonly IntPtr token;
    private readonly int tokenCapacity;
    private readonly byte[] tokenBytes = new byte[65];

    private SpawnAttributes(NativeEnvironment environment, IReadOnlyList<int> ignoredSignals)
    {
        this.environment = environment;
        Actions = Marshal.AllocHGlobal(ActionsSize);
        attributes = Marshal.AllocHGlobal(AttributesSize);
        tokenCapacity = TokenPrefix.Length + 64 + 1;
        token = Marshal.AllocHGlobal(tokenCapacity);
        Marshal.Copy(TokenPrefix, 0, token, TokenPrefix.Length);
        Envp = environment.With(token);
        var signals = Marshal.AllocHGlobal(SignalSetSize);
        try
        {
            posix_spawnattr_init(attributes);
            short flags = SetSignalMask;
            if (ignoredSignals.Count > 0)
            {
                sigemptyset(signals);
                foreach (var signal in ignoredSignals)
                {
                    sigaddset(signals, signal);
                }
                posix_spawnattr_setsigdefault(attributes, signals);
                flags |= SetSignalDefaults;
            }
            sigemptyset(signals);
            posix_spawnattr_setsigmask(attributes, signals);
            posix_spawnattr_setflags(attributes, flags);
        }
        finally
        {
            Marshal.FreeHGlobal(signals);
        }
    }

    ~SpawnAttributes()
    {
        // Worker threads end with their batch: the buffers go with the thread's last reference.
        posix_spawnattr_destroy(attributes);
        Marshal.FreeHGlobal(attributes);
        Marshal.FreeHGlobal(Actions);
        Marshal.FreeHGlobal(token);
    }

    /// <summary>The file actions buffer, initialised and destroyed around each start.</summary>
    public IntPtr Actions { get; }

    /// <summary>The spawn attributes: an empty signal mask, ignored signals back to their defaults.</summary>
    public IntPtr Attributes => attributes;

    /// <summary>The null-terminated environment, whose token slot holds the token set by <see cref="SetToken"/>.</summary>
    public IntPtr[] Envp { get; }

    /// <summary>This thread's buffers for the batch's environment (set up on first use).</summary>
    public static SpawnAttributes For(CommandContext context)
    {
        var mine = current;
        if (mine is null || !ReferenceEquals(mine.environment, context.Environment))
        {
            current = mine = new SpawnAttributes(context.Environment, context.IgnoredSignals);
        }
        return mine;
    }

    /// <summary>Writes <c>WORKFLOW_AUTOMATION_TREE=token</c> into the environment's token slot.</summary>
    public void SetToken(string value)
    {
        if (TokenPrefix.Length + value.Length + 1 > tokenCapacity || !Ascii.IsValid(value))
        {
            throw new ArgumentException("A process-tree token is at most 64 ASCII characters.", nameof(value));
        }
        var length = Encoding.ASCII.GetBytes(value, tokenBytes);
        tokenBytes[length] = 0;
        Marshal.Copy(tokenBytes, 0, token + TokenPrefix.Length, length + 1);
    }

    /// <summary>The signals this process ignores (SIG_IGN), which a child would otherwise inherit as ignored.</summary>
    public static int[] ReadIgnoredSignals()
    {
        var ignored = new List<int>();
        var action = Marshal.AllocHGlobal(SignalSetSize);
        try
        {
            for (var signal = 1; signal <= SignalCount; signal++)
            {
                // sa_handler comes first in struct sigaction on every Linux ABI glibc supports.
                if (sigaction(signal, IntPtr.Zero, action) == 0 && Marshal.ReadIntPtr(action) == SigIgn)
                {
                    ignored.Add(signal);
                }
            }
        }
        finally
        {
            Marshal.FreeHGlobal(action);
        }
        return [.. ignored];
    }

    [DllImport("libc")]
    private static extern int sigaction(int signal, IntPtr action, IntPtr oldAction);

    [DllImport("libc")]
    private static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr mask);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    private static extern int sigemptyset(IntPtr set);

    [DllImport("libc")]
    private static extern int sigaddset(IntPtr set, int signal);
}
