using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace WorkflowAutomation.Tests.Hermetic;

/// <summary>Builds small, real wheels (PEP 427 zips) in a --find-links folder: PyPI is not reachable here.</summary>
internal static class Wheels
{
    public static string Build(string folder, string name, string version, string body, params string[] requires)
    {
        Directory.CreateDirectory(folder);
        var module = name.Replace('-', '_');
        var dist = $"{module}-{version}.dist-info";
        var files = new Dictionary<string, string>
        {
            [$"{module}/__init__.py"] = body,
            [$"{dist}/METADATA"] = $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + string.Concat(requires.Select(r => $"Requires-Dist: {r}\n")),
            [$"{dist}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        };
        var record = new StringBuilder();
        foreach (var (path, text) in files)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var hash = Convert.ToBase64String(SHA256.HashData(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            record.Append($"{path},sha256={hash},{bytes.Length}\n");
        }
        record.Append($"{dist}/RECORD,,\n");
        files[$"{dist}/RECORD"] = record.ToString();
        var wheel = Path.Combine(folder, $"{module}-{version}-py3-none-any.whl");
        File.Delete(wheel);
        using var zip = ZipFile.Open(wheel, ZipArchiveMode.Create);
        foreach (var (path, text) in files)
        {
            var entry = zip.CreateEntry(path);
            entry.LastWriteTime = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var writer = new StreamWriter(entry.Open());
            writer.Write(text);
        }
        return wheel;
    }
}
