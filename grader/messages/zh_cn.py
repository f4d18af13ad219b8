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
    # grader/ex01_chain_rule.py
    "Derivatives and the chain rule": "导数与链式法则",
    "a derivative through a shared subexpression": "经过共享子表达式的导数",
    "central difference with a step chosen from the error bound": "中心差分，步长由误差上界选出",
    "dual numbers: /, exp, log and ** in forward mode": "对偶数：前向模式下的 /、exp、log 和 **",
    "find and fix the bugs in a gradient by hand": "找出并修好手算梯度里的 bug",
    "predict: forward vs reverse cost, finite-difference errors, paths": (
        "预测：前向与反向模式的代价、有限差分的误差、路径数"
    ),
    "the result is [value, derivative] of the program's output": "结果是程序输出的 [值, 导数]",
    "the result is (df/dx, df/dy), elementwise": "结果是逐元素的 (df/dx, df/dy)",
    "central_derivative must return two numbers: (estimate, h)": (
        "central_derivative 必须返回两个数：(estimate, h)"
    ),
    "the result should be two numbers, (estimate, h)": "结果应该是两个数：(estimate, h)",
    "the step h must be a positive number, yours is {h}": "步长 h 必须是正数，你的是 {h}",
    "your step h = {h} gives the error bound eps |f| / h + h^2 |f'''| / 6 = {yours}, the best "
    "step gives {best} (allowed: {slack} times that); balance the two terms for these |f| and "
    "|f'''|": (
        "你的步长 h = {h} 给出的误差上界 eps |f| / h + h^2 |f'''| / 6 = {yours}，"
        "而最佳步长给出 {best}（允许它的 {slack} 倍）；请针对这里的 |f| 和 |f'''| 平衡这两项"
    ),
    "with h = {h} the estimate is {estimate}, the exact derivative {exact}: off by {error}, "
    "more than 10 times the bound for that h ({yours}); is it a central difference with this "
    "h?": (
        "取 h = {h} 时估计值是 {estimate}，精确导数是 {exact}：相差 {error}，"
        "超过了这个 h 对应上界（{yours}）的 10 倍；它真的是用这个 h 算出的中心差分吗？"
    ),
    "f(v) = {body} at x = {x}, f_size = {f_size}, f3_size = {f3_size}": (
        "函数 f(v) = {body}，在 x = {x} 处，f_size = {f_size}，f3_size = {f3_size}"
    ),
    "the program {steps}; output v{n}": "程序 {steps}；输出 v{n}",
    "... ({n} steps in all)": "...（共 {n} 步）",
    "grad_f must return two arrays: (df/dx, df/dy)": "grad_f 必须返回两个数组：(df/dx, df/dy)",
    # grader/ex02_computation_graphs.py
    "Computation graphs": "计算图",
    "the leaves that backward() fills, from grad_fn": (
        "从 grad_fn 出发，找出 backward() 会填写梯度的叶子"
    ),
    "the order in which backward() may run the nodes": "backward() 运行各节点的顺序",
    "find and fix the bugs in jacobian()": "找出并修好 jacobian() 里的 bug",
    "predict: detach, no_grad, retain_grad, two backward calls, frozen tensors": (
        "预测：detach、no_grad、retain_grad、两次 backward 调用、被冻结的张量"
    ),
    "the result is the sorted indices of the leaves you returned, one per leaf": (
        "结果是你返回的叶子的编号，排好序，每个叶子一个"
    ),
    "indices of the leaves x0, x1, ... you returned; -1 for anything else": (
        "你返回的叶子 x0、x1……的编号；不是叶子的东西记为 -1"
    ),
    "J has one row per output of f and one column per input": (
        "J 的每一行对应 f 的一个输出，每一列对应一个输入"
    ),
    "row i is the gradient of output i": "第 i 行是第 i 个输出的梯度",
    "minigrad's graph has {n} nodes and {edges} edges, torch's {torch_nodes} and {torch_edges} "
    "(a minigrad bug: tell the course team)": (
        "minigrad 的计算图有 {n} 个节点、{edges} 条边，torch 的有 {torch_nodes} 个节点、"
        "{torch_edges} 条边（这是 minigrad 的 bug：请告诉课程团队）"
    ),
    "{unknown} of the entries you returned are not nodes of y's graph (return the grad_fn nodes "
    "themselves, AccumulateGrad nodes included, not tensors or None)": (
        "你返回的条目中有 {unknown} 个不是 y 的计算图中的节点（请返回 grad_fn 节点本身，"
        "包括 AccumulateGrad 节点，而不是张量或 None）"
    ),
    "a node is in your order twice (a node with several users must run once)": (
        "有一个节点在你的顺序里出现了两次（有多个使用者的节点也只能运行一次）"
    ),
    "your order has {got} of the graph's {n} nodes (every node runs once)": (
        "计算图有 {n} 个节点，你的顺序里只有 {got} 个（每个节点都要运行一次）"
    ),
    "y.grad_fn must come first: it is where backward() starts": (
        "y.grad_fn 必须排在最前：backward() 从它开始"
    ),
    "a node": "某个节点",
    "your order runs {child} (at position {child_at}) before {parent} (at position "
    "{parent_at}), which sends it a gradient: a node runs only once every node that uses it has "
    "run": (
        "你的顺序把 {child}（位置 {child_at}）排在了向它发送梯度的 {parent}（位置 {parent_at}）"
        "之前：只有当所有使用某个节点的节点都运行过之后，这个节点才能运行"
    ),
    "f(x) = {body} at x = {x}": "函数 f(x) = {body}，在 x = {x} 处",
    "f(x) = {body} at x = {x}, W = {w}": "函数 f(x) = {body}，在 x = {x} 处，W = {w}",
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
}
