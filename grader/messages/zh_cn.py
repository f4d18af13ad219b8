"""Simplified Chinese (zh-CN) feedback: English message (the key, as written in the code) ->
its translation, with the same ``{placeholders}``. Terms follow i18n/zh/glossary.md.

tests/test_messages.py fails on a marked message missing here, on an entry no code uses, and
on an entry whose placeholders differ from its key's.
"""

CATALOG: dict[str, str] = {
    # grader/core.py: the verdict check() prints, and a question's label
    "{name} ({title}): {verdict}\n  {reason}": "{name}（{title}）：{verdict}\n  {reason}",
    "passed": "通过",
    "not answered yet": "尚未作答",
    "FAILED": "未通过",
    "passed: ": "通过：",
    "not answered yet: ": "尚未作答：",
    "{name}: checked by the grader": "{name}：由评分程序检查",
    "{kind}, {points}, {stars}": "{kind}，{points}，{stars}",
    "{n} point": "{n} 分",
    "{n} points": "{n} 分",
    "warm-up": "热身",
    "implement": "实现",
    "debug": "调试",
    "predict": "预测",
    # grader/core.py: finding the exercise, the question and the student's definitions
    "exercise {id} has no question {name}: use one of {names}": (
        "练习 {id} 没有题目 {name}：请使用 {names} 之一"
    ),
    "unknown exercise {id}: known exercises are {known}": "未知的练习 {id}：已有的练习是 {known}",
    "the notebook does not define `{name}` (did its cell run without an error?)": (
        "notebook 没有定义 `{name}`（定义它的单元格是否已经运行且没有报错？）"
    ),
    # grader/core.py: running the student's code
    "your code changed its input {changed} in place: compute a new array (or copy the input "
    "first) instead of writing into the one you were given": (
        "你的代码原地修改了它的输入 {changed}：请计算一个新数组（或者先复制输入），"
        "不要写入传给你的那个数组"
    ),
    "it returned {what}": "它返回了 {what}",
    # grader/core.py: the verdict on a question
    "the grader got no readable answer for this question": "评分程序没有得到这道题可读的答案",
    "the answer could not be read ({error})": "无法读取答案（{error}）",
    "for {case}: {problem}": "对于{case}：{problem}",
    "every prediction is what PyTorch does": "每个预测都与 PyTorch 的行为一致",
    "agrees with PyTorch on {n} fresh random inputs": "在 {n} 组新的随机输入上与 PyTorch 一致",
    "your code failed": "你的代码运行失败",
    "{names} still raises NotImplementedError (replace the stub)": (
        "{names} 仍然抛出 NotImplementedError（请把待填部分换成你的代码）"
    ),
    "for {case}: your code gave a {kind} ({message}); this question asks for none (avoid the "
    "operation that warns, e.g. a division by 0 inside np.where: np.where evaluates both "
    "branches)": (
        "对于{case}：你的代码产生了 {kind}（{message}）；这道题要求不产生任何警告"
        "（避开引发警告的运算，"
        "例如 np.where 里的除以 0：np.where 会计算两个分支）"
    ),
    "for {case}: RecursionError ({message}); a graph this deep needs an iterative algorithm, "
    "not recursion": (
        "对于{case}：RecursionError（{message}）；这么深的计算图需要迭代算法，而不是递归"
    ),
    "for {case}: your code raised {kind}: {message}": (
        "对于{case}：你的代码抛出了 {kind}：{message}"
    ),
    # grader/core.py: comparing an answer with PyTorch's
    "the result": "结果",
    "{where} should have the entries {keys}": "{where} 应该包含这些条目：{keys}",
    "{where} is not what PyTorch does (yours is {yours})": (
        "{where} 与 PyTorch 的行为不一致（你的是 {yours}）"
    ),
    "{n} values": "{n} 个值",
    "a {kind}": "{kind}",
    "{where} should be {n} values, got {kind}": "{where} 应该是 {n} 个值，得到的却是 {kind}",
    "{where} should be a number, got a {kind}": "{where} 应该是一个数，得到的却是 {kind}",
    "{where}: PyTorch gives {want}, yours is {got}{off}": (
        "{where}：PyTorch 给出 {want}，你的是 {got}{off}"
    ),
    " (off by {off}; allowed {allowed})": "（相差 {off}；允许 {allowed}）",
    "; an exact answer is asked, not an estimate such as a finite difference": (
        "；这道题要求精确答案，而不是有限差分之类的估计值"
    ),
    "{where} should be a numpy array of shape {shape}, got a {kind}": (
        "{where} 应该是形状为 {shape} 的 numpy 数组，得到的却是 {kind}"
    ),
    "{where} has shape {got}, PyTorch's has shape {want}": (
        "{where} 的形状是 {got}，PyTorch 的形状是 {want}"
    ),
    "{where} has dtype {got}, expected {want} (compute in the input's dtype: a numpy float64 "
    "constant such as np.log(2) turns float32 into float64)": (
        "{where} 的 dtype 是 {got}，应为 {want}（请按输入的 dtype 计算：像 np.log(2) 这样的 numpy "
        "float64 常数会把 float32 变成 float64）"
    ),
    "{where} has dtype {got}, expected numbers": "{where} 的 dtype 是 {got}，应为数值",
    "{where} differs from PyTorch at index {index}: PyTorch gives {want}, yours is {got}{off}; "
    "PyTorch's whole answer is {whole_want}, yours is {whole_got}{layout}": (
        "{where} 在下标 {index} 处与 PyTorch 不同：PyTorch 给出 {want}，你的是 {got}{off}；"
        "PyTorch 的完整答案是 {whole_want}，你的是 {whole_got}{layout}"
    ),
    "input {values}": "输入 {values}",
    "the input": "该输入",
    "array of shape {shape}": "形状为 {shape} 的数组",
    # grader/sandbox.py: when the graded notebook's process stops, hangs or fails
    "the grading process stopped": "评分进程停止了",
    "while running your code for it": "（发生在运行你为这道题写的代码时）",
    "on case {number} of {count}, {case}": (
        "（发生在第 {number} 个测试用例上，共 {count} 个；{case}）"
    ),
    "the grading process failed to start ({why}): {tail}": "评分进程没能启动（{why}）：{tail}",
    "{cell} was skipped: {why} while it ran": "{cell} 被跳过了：运行它时，{why}",
    "{cell} raised {error}": "{cell} 抛出了 {error}",
    "the grading process stopped before it reached this question": (
        "评分进程在运行到这道题之前就停止了"
    ),
    "code cell {number} (`{first}`)": "第 {number} 个代码单元格（`{first}`）",
    "it ran longer than the {s} s time limit": "它的运行时间超过了 {s} 秒的时限",
    "it ran longer than the {s} s limit per case": ("它的运行时间超过了每个测试用例 {s} 秒的时限"),
    "it sent more than {mb} MB of results": "它发送的结果超过了 {mb} MB",
    "it used too much CPU time": "它占用的 CPU 时间太多",
    "it was killed": "它被强行终止了",
    "the process was killed by {name}": "进程被 {name} 终止了",
    "it ended the grading process (exit status {status}, e.g. os._exit)": (
        "它结束了评分进程（退出状态 {status}，例如调用了 os._exit）"
    ),
    # grader/ex04_tensors_and_functions.py
    "Tensors and custom Functions": "张量与自定义 Function",
    "unbroadcast a gradient to an input's shape": "把梯度反广播回输入的形状",
    "gradients of c = sum(x * y + z) with broadcasting": "带广播的 c = sum(x * y + z) 的梯度",
    "LinearFunction.backward": "LinearFunction.backward",
    "CumsumFunction: forward and backward of a cumulative sum": (
        "CumsumFunction：累加和的前向与反向"
    ),
    "SoftplusFunction: find and fix the bug in its backward": (
        "SoftplusFunction：找出并修好它反向计算中的 bug"
    ),
    "predict: x.grad after two backward calls, is_leaf, freed graphs, shapes": (
        "预测：两次 backward 之后的 x.grad、is_leaf、被释放的计算图、形状"
    ),
    "sum the gradient over the dimensions that broadcasting added or stretched": (
        "把梯度沿广播新增或拉伸的维度求和"
    ),
    "the result is (forward's output, the gradient backward returned for x)": (
        "结果是（forward 的输出，backward 为 x 返回的梯度）"
    ),
    "x.grad has x's shape (N, in), weight.grad (out, in), bias.grad (out,)": (
        "x.grad 的形状与 x 相同，为 (N, in)；weight.grad 为 (out, in)；bias.grad 为 (out,)"
    ),
    "sum_product_grads must return three arrays: (dx, dy, dz)": (
        "sum_product_grads 必须返回三个数组：(dx, dy, dz)"
    ),
    "backward must return three gradients: (grad_x, grad_weight, grad_bias)": (
        "backward 必须返回三个梯度：(grad_x, grad_weight, grad_bias)"
    ),
    "backward returned None for {name}, which needs a gradient": (
        "backward 为 {name} 返回了 None，但它需要梯度"
    ),
    "backward returned a gradient of shape {got} for {name}, whose shape is {shape}: each "
    "gradient must have its input's own shape": (
        "backward 为形状是 {shape} 的 {name} 返回了形状为 {got} 的梯度："
        "每个梯度都必须与它对应的输入形状相同"
    ),
    "{name}.grad after backward() is not what backward returned": (
        "backward() 之后的 {name}.grad 不是 backward 返回的梯度"
    ),
    "backward must return {n} values, one per argument of forward: the gradient for x": (
        "backward 必须返回 {n} 个值，forward 的每个参数一个：x 的梯度"
    ),
    "backward must return {n} values, one per argument of forward: the gradient for x, then "
    "None for {params}": (
        "backward 必须返回 {n} 个值，forward 的每个参数一个：先是 x 的梯度，然后 {params} 对应 None"
    ),
    "backward returned a gradient of shape {got} for x of shape {shape}: it must have x's own "
    "shape": "backward 为形状是 {shape} 的 x 返回了形状为 {got} 的梯度：它必须与 x 形状相同",
    "x of shape {shape}, dim={dim}: x={x}": "形状为 {shape} 的 x，dim={dim}：x={x}",
    "predictions() must return a dict: {'a': ..., 'b': ..., ...}": (
        "predictions() 必须返回一个字典：{'a': ..., 'b': ..., ...}"
    ),
    "predictions() has no answer for {keys}": "predictions() 没有给出 {keys} 的答案",
    "your predictions": "你的预测",
    # grader/ex07_higher_order.py
    "Gradients of gradients": "梯度的梯度",
    "the Laplacian of f: the trace of its Hessian": "f 的拉普拉斯算子：其海森矩阵的迹",
    "jvp: J v from two reverse passes (forward mode without forward mode)": (
        "jvp：用两次反向计算求 J v（不用前向模式的前向模式）"
    ),
    "J v has the shape of func(x); J^T v would have the shape of x": (
        "J v 的形状与 func(x) 相同；J^T v 的形状才与 x 相同"
    ),
    "LogCoshFunction: a backward that can be differentiated again": (
        "LogCoshFunction：一个可以再次求导的 backward"
    ),
    "SmoothAbsFunction: gradcheck passes, gradgradcheck does not": (
        "SmoothAbsFunction：gradcheck 通过，gradgradcheck 却不通过"
    ),
    "hvp by two backward() calls: find and fix the bug": (
        "用两次 backward() 调用求 hvp：找出并修复错误"
    ),
    "predict: .grad under create_graph, second derivatives of relu and of numpy": (
        "预测：create_graph 下的 .grad，relu 和 numpy 的二阶导数"
    ),
    "f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3) with A of shape {shape}, "
    "c={c}, at x={x}": (
        "f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3)，其中 A 的形状为 {shape}，"
        "c={c}，在 x={x} 处"
    ),
    "{formula} with A of shape {shape}, at x={x}, v={v}": (
        "{formula}，其中 A 的形状为 {shape}，在 x={x} 处，v={v}"
    ),
    "x={x} ({dtype}), grad_output={g}, u={u}": "x={x}（{dtype}），grad_output={g}，u={u}",
    "{what} must be numbers, got {kind}": "{what} 必须是数值，得到的是 {kind}",
    "laplacian's result": "laplacian 的结果",
    "jvp's result": "jvp 的结果",
    "hvp's result": "hvp 的结果",
    "laplacian must return one number (the trace), got shape {shape}": (
        "laplacian 必须返回一个数（迹），得到的形状是 {shape}"
    ),
    "this question asks you to build J v from autograd.grad: minigrad.autograd.functional is "
    "switched off while it is checked": (
        "本题要求你用 autograd.grad 构造 J v：检查期间 minigrad.autograd.functional 被关闭"
    ),
    "the gradient {name}.backward returns has no graph, so it cannot be differentiated again: "
    "write backward with minigrad operations on the Tensors it gets (no numpy, .numpy(), "
    ".detach() or .data)": (
        "{name}.backward 返回的梯度没有计算图，因此无法再次求导：请用 minigrad 运算处理它收到的 "
        "Tensor 来写 backward（不要用 numpy、.numpy()、.detach() 或 .data）"
    ),
    "the gradient {name}.backward returns does not depend on x through recorded operations "
    "(did it detach x, or use numpy on it?)": (
        "{name}.backward 返回的梯度没有通过被记录的运算依赖于 x"
        "（是否对 x 调用了 detach，或对它使用了 numpy？）"
    ),
    "the gradient {name}.backward returns does not depend on grad_output through recorded "
    "operations (did it detach grad_output?): gradgradcheck differentiates with respect to it "
    "too": (
        "{name}.backward 返回的梯度没有通过被记录的运算依赖于 grad_output"
        "（是否对 grad_output 调用了 detach？）：gradgradcheck 也会对它求导"
    ),
    "the result is (y, x's gradient d1 for grad_output, then the gradients of sum(d1 * u) "
    "with respect to x and to grad_output)": (
        "结果是（y，给定 grad_output 时 x 的梯度 d1，然后是 sum(d1 * u) 对 x 和对 grad_output "
        "的梯度）"
    ),
}
