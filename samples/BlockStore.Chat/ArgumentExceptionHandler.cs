using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace BlockStore.Chat;

/// <summary>
/// Turns every <see cref="ArgumentException"/> (BlockStore's refusals of bad ids, limits and SeqIds, and the app's own)
/// into a 400 problem-details body naming the field, in one place: endpoints just call the store.
/// </summary>
internal sealed class ArgumentExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ArgumentException argument)
        {
            return false;
        }

        string field = argument.ParamName ?? "request";
        string message = argument.ParamName is null ? argument.Message : argument.Message.Replace($" (Parameter '{argument.ParamName}')", "", StringComparison.Ordinal);
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        var details = new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = $"The field '{field}' is invalid.",
            Detail = message,
        };
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }
}
