BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ClinicaDLModulePath) -Force

    # Misregistered copies change the voxels, not the header: a roll or a mirror of the grid, or a smooth field and noise.
    Add-Type -ReferencedAssemblies ([ClinicaDL.Core.Imaging.NiftiReader].Assembly.Location) -TypeDefinition @'
using ClinicaDL.Core.Imaging;
public static class QcFixture
{
    public static void Roll(string source, string target, int axis, int voxels) => Remap(source, target, (c, n) => { c[axis] = ((c[axis] - voxels) % n[axis] + n[axis]) % n[axis]; });
    public static void Flip(string source, string target, int axis) => Remap(source, target, (c, n) => { c[axis] = n[axis] - 1 - c[axis]; });

    /// <summary>The image times 1 + amplitude sin(y) cos(z) over the grid, plus uniform noise of the given fraction of its maximum.</summary>
    public static void Field(string source, string target, double amplitude, double noise, int seed)
    {
        var (values, shape, affine) = Read(source);
        var random = new System.Random(seed);
        var max = 0f;
        foreach (var value in values) { max = System.Math.Max(max, value); }
        var result = new float[values.Length];
        for (var index = 0; index < values.Length; index++)
        {
            var (j, k) = (index / shape[0] % shape[1], index / (shape[0] * shape[1]));
            var field = 1 + amplitude * System.Math.Sin(6.28 * j / shape[1] + seed) * System.Math.Cos(6.28 * k / shape[2]);
            result[index] = (float)(values[index] * field + noise * max * (random.NextDouble() - 0.5));
        }
        Write(target, shape, result, affine);
    }

    private static void Remap(string source, string target, System.Action<int[], int[]> move)
    {
        var (values, shape, affine) = Read(source);
        var result = new float[values.Length];
        var c = new int[3];
        for (var index = 0; index < values.Length; index++)
        {
            c[0] = index % shape[0]; c[1] = index / shape[0] % shape[1]; c[2] = index / (shape[0] * shape[1]);
            move(c, shape);
            result[index] = values[c[0] + shape[0] * (c[1] + shape[1] * c[2])];
        }
        Write(target, shape, result, affine);
    }

    private static (float[], int[], AffineMatrix) Read(string path)
    {
        var image = NiftiReader.ReadHeader(path);
        return (NiftiReader.ReadSingle(path, out _), new[] { image.Shape[0], image.Shape[1], image.Shape[2] }, image.Affine);
    }

    private static void Write(string path, int[] shape, float[] values, AffineMatrix affine)
    {
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        NiftiWriter.Write(path, shape, values, affine);
    }
}
'@

    # A t1-linear image path of a CAPS (the current naming) and the transform beside it.
    function Get-CapsImagePath([string] $caps, [string] $participant) {
        Join-Path $caps "subjects/sub-$participant/ses-M000/t1_linear/sub-$($participant)_ses-M000_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz"
    }
    function Write-Transform([string] $imagePath, [double[]] $rows) {
        $m = [double[,]]::new(4, 4)
        for ($r = 0; $r -lt 3; $r++) { for ($c = 0; $c -lt 4; $c++) { $m[$r, $c] = $rows[4 * $r + $c] } }
        $m[3, 3] = 1
        # t1-linear's name for it: the image's without desc-Crop and the final _T1w (the older names keep the first _T1w).
        $mat = Join-Path (Split-Path $imagePath) (((Split-Path -Leaf $imagePath) -replace '_desc-Crop', '') -replace '_T1w\.nii\.gz$', '_affine.mat')
        [ClinicaDL.Core.Preprocessing.ItkTransformFile]::Write($mat, [ClinicaDL.Core.Imaging.AffineMatrix]::new($m), [double[]](0, 0, 0))
        $mat
    }
}

Describe 'Invoke-ClinicaDLQualityCheck' {
    Context 'phantoms in template space, with misregistered copies' {
        BeforeAll {
            $study = Join-Path $TestDrive 'phantoms'
            $null = New-ClinicaDLSyntheticDataset -Raw -VoxelSize 2 -OutputPath $study -ParticipantCount 6 -SessionCount 1 -Seed 5
            $script:Caps = Join-Path $study 'caps'
            $script:Template = Join-Path $study 'template/tpl-ClinicaDLPhantom_res-2_T1w.nii.gz'
            $images = @(Import-CapsDataset $Caps -Preprocessing t1-linear)
            # Each phantom's true template-to-scanner transform (rotations up to 15 degrees, scales 0.9-1.1) as its .mat.
            foreach ($row in Import-Csv (Join-Path $study 'transforms.tsv') -Delimiter "`t") {
                $image = $images | Where-Object ParticipantId -EQ $row.participant_id
                $null = Write-Transform $image.Path @('m00', 'm01', 'm02', 'm03', 'm10', 'm11', 'm12', 'm13', 'm20', 'm21', 'm22', 'm23' | ForEach-Object { [double]$row.$_ })
            }
            $source = $images[0].Path
            # 15 voxels of 2 mm: 30 mm towards anterior, and mirrors of the grid.
            [QcFixture]::Roll($source, (Get-CapsImagePath $Caps 'shifted'), 1, 15)
            [QcFixture]::Flip($source, (Get-CapsImagePath $Caps 'flippedap'), 1)
            # A left-right flip of a phantom matches its left-right symmetric template as well as the phantom does (the
            # template correlates 0.992 with its own mirror), so only its transform's mirror can tell it.
            [QcFixture]::Flip($source, (Get-CapsImagePath $Caps 'flippedlr'), 0)
            $null = Write-Transform (Get-CapsImagePath $Caps 'flippedlr') @(-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0)
            Copy-Item $source (New-Item -ItemType Directory -Force (Split-Path (Get-CapsImagePath $Caps 'stretched'))) 
            Rename-Item (Join-Path (Split-Path (Get-CapsImagePath $Caps 'stretched')) (Split-Path -Leaf $source)) (Split-Path -Leaf (Get-CapsImagePath $Caps 'stretched'))
            $null = Write-Transform (Get-CapsImagePath $Caps 'stretched') @(1.6, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0)
            $script:Tsv = Join-Path $TestDrive 'qc/phantoms.tsv'
            $script:Results = @(Invoke-ClinicaDLQualityCheck $Caps -TemplatePath $Template -OutputPath $Tsv -WarningVariable warnings -WarningAction SilentlyContinue)
            $script:Warnings = $warnings
            $script:ByParticipant = @{}
            $Results | ForEach-Object { $ByParticipant[$_.ParticipantId] = $_ }
        }

        It 'passes every phantom, each checked with its true transform' {
            $phantoms = $Results | Where-Object ParticipantId -Match '^sub-\d+$'
            $phantoms.Count | Should -Be 6
            $phantoms | ForEach-Object {
                $_.Pass | Should -BeTrue -Because "$($_.ParticipantId): $($_.Reason)"
                $_.TransformChecked | Should -BeTrue
                $_.TemplateCorrelation | Should -BeGreaterThan 0.7
                $_.Determinant | Should -BeGreaterThan 0
                $_.ScaleX | Should -BeGreaterThan 0.85
                $_.ScaleX | Should -BeLessThan 1.15
                $_.RotationDegrees | Should -BeLessThan 26
                $_.OrientationMargin | Should -BeGreaterThan 0
                $_.Reason | Should -BeNullOrEmpty
            }
        }

        It 'fails the copy shifted by 30 mm on its correlation and its robust z' {
            $shifted = $ByParticipant['sub-shifted']
            $shifted.Pass | Should -BeFalse
            $shifted.TemplateCorrelation | Should -BeLessThan 0.3
            $shifted.RobustZ | Should -BeLessThan -3.5
            $shifted.Reason | Should -Match 'template correlation 0\.\d+ < 0\.3'
            $shifted.TransformChecked | Should -BeFalse
        }

        It 'fails the copy flipped anterior-posterior on its orientation' {
            $flipped = $ByParticipant['sub-flippedap']
            $flipped.Pass | Should -BeFalse
            $flipped.OrientationMargin | Should -BeLessThan 0
            $flipped.Reason | Should -Match '^flipped anterior-posterior: the template mirrored anterior-posterior fits better'
        }

        It 'fails the copy flipped left-right on its transform''s negative determinant' {
            $flipped = $ByParticipant['sub-flippedlr']
            $flipped.Pass | Should -BeFalse
            $flipped.Determinant | Should -Be -1
            $flipped.ScaleZ | Should -Be -1
            $flipped.Reason | Should -BeLike 'transform determinant -1 <= 0 (a mirror image*'
        }

        It 'fails the image whose transform stretches it 1.6 times' {
            $stretched = $ByParticipant['sub-stretched']
            $stretched.Pass | Should -BeFalse
            $stretched.ScaleX | Should -Be 1.6
            $stretched.Reason | Should -Be 'transform scale x 1.6 outside 0.75-1.35'
        }

        It 'warns with each failing image and its reason' {
            $Warnings.Count | Should -Be 1
            $Warnings[0].Message | Should -BeLike '4 of 10 images failed the quality check*'
            $Warnings[0].Message | Should -Match 'sub-stretched ses-M000: transform scale x 1\.6'
        }

        It 'writes ClinicaDL''s QC columns first, then the measurements, passing images first' {
            $lines = Get-Content $Tsv
            $lines[0] -split "`t" | Should -Be @('participant_id', 'session_id', 'pass_probability', 'pass', 'template_correlation', 'mutual_information',
                'orientation_margin', 'correlation_robust_z', 'mutual_information_robust_z', 'transform_checked', 'scale_x', 'scale_y', 'scale_z',
                'shear_xy', 'shear_xz', 'shear_yz', 'rotation_degrees', 'determinant', 'reason')
            $rows = @(Import-Csv $Tsv -Delimiter "`t")
            $rows.Count | Should -Be 10
            ($rows | Select-Object -First 6).pass | Should -Be (@('True') * 6)
            ($rows | Select-Object -First 6).pass_probability | Should -Be (@('1') * 6)
            ($rows | Select-Object -Last 4).pass_probability | Should -Be (@('0') * 4)
            $stretched = $rows | Where-Object participant_id -EQ 'sub-stretched'
            $stretched.pass | Should -Be 'False'
            $stretched.scale_x | Should -Be '1.6'
            $stretched.determinant | Should -Be '1.6'
            $stretched.reason | Should -Be 'transform scale x 1.6 outside 0.75-1.35'
            ($rows | Where-Object participant_id -EQ 'sub-shifted').scale_x | Should -BeNullOrEmpty
            [double]($rows | Where-Object participant_id -EQ 'sub-shifted').template_correlation | Should -Be $ByParticipant['sub-shifted'].TemplateCorrelation
        }

        It 'draws a PNG montage per image beside the TSV' {
            $montages = @(Get-ChildItem (Join-Path $TestDrive 'qc/phantoms_montages') -Filter *.png)
            $montages.Count | Should -Be 10
            $Results.MontagePath | ForEach-Object { Test-Path $_ | Should -BeTrue }
            $bytes = [IO.File]::ReadAllBytes($ByParticipant['sub-001'].MontagePath)
            $bytes[1..3] | Should -Be ([byte[]][char[]]'PNG')
        }

        It 'writes nothing with -WhatIf' {
            $other = Join-Path $TestDrive 'whatif/qc.tsv'
            Invoke-ClinicaDLQualityCheck $Caps -TemplatePath $Template -OutputPath $other -WhatIf | Should -BeNullOrEmpty
            Test-Path (Split-Path $other) | Should -BeFalse
        }
    }

    Context 'images registered to the MNI template' {
        BeforeAll {
            $data = Get-SharedTestData
            $script:MniTemplate = if ($data) { Join-Path $data 'templates/tpl-MNI152NLin2009cSym_res-1_desc-brain_T1w.nii.gz' }
            if ($data) {
                $script:MniCaps = Join-Path $TestDrive 'mni'
                # The template on Clinica's cropped grid, as a correctly registered image: times a smooth field, plus noise.
                $cropped = Join-Path $TestDrive 'cropped.nii.gz'
                $reference = [ClinicaDL.Core.Preprocessing.ReferenceTemplate]::Load($MniTemplate).OnOutputGrid($false)
                [ClinicaDL.Core.Imaging.NiftiWriter]::Write($cropped, $reference.Shape, $reference.Values, $reference.Affine, $null)
                foreach ($n in 1..5) { [QcFixture]::Field($cropped, (Get-CapsImagePath $MniCaps "mni$n"), 0.1 + 0.02 * $n, 0.04, $n) }
                [QcFixture]::Roll((Get-CapsImagePath $MniCaps 'mni1'), (Get-CapsImagePath $MniCaps 'shifted'), 0, 30)
                [QcFixture]::Flip((Get-CapsImagePath $MniCaps 'mni1'), (Get-CapsImagePath $MniCaps 'flippedlr'), 0)
                $script:MniResults = @(Invoke-ClinicaDLQualityCheck $MniCaps -TemplatePath $MniTemplate -OutputPath (Join-Path $TestDrive 'mni.tsv') -WarningAction SilentlyContinue)
            }
        }

        It 'passes the registered images' {
            if (-not $MniTemplate) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $good = $MniResults | Where-Object ParticipantId -Like 'sub-mni*'
            $good.Count | Should -Be 5
            $good.Pass | Should -Not -Contain $false
            $good | ForEach-Object { $_.TemplateCorrelation | Should -BeGreaterThan 0.9 }
        }

        It 'fails a copy shifted 30 mm left-right, and one flipped left-right (this template is not symmetric voxel for voxel)' {
            if (-not $MniTemplate) { Set-ItResult -Skipped -Because $SharedTestDataAbsent; return }
            $shifted = $MniResults | Where-Object ParticipantId -EQ 'sub-shifted'
            $shifted.Pass | Should -BeFalse
            $shifted.TemplateCorrelation | Should -BeLessThan 0.3
            $flipped = $MniResults | Where-Object ParticipantId -EQ 'sub-flippedlr'
            $flipped.Pass | Should -BeFalse
            $flipped.OrientationMargin | Should -BeLessThan -0.1
            $flipped.Reason | Should -Match 'flipped left-right'
        }
    }

    Context 'bad input' {
        BeforeAll {
            $study = Join-Path $TestDrive 'small'
            $null = New-ClinicaDLSyntheticDataset -OutputPath $study -ParticipantCount 3 -SessionCount 1 -VoxelSize 3 -Seed 2
            $script:SmallCaps = Join-Path $study 'caps'
            $script:SmallTemplate = (Import-CapsDataset $SmallCaps -Preprocessing t1-linear)[0].Path
            $corrupt = Get-CapsImagePath $SmallCaps 'corrupt'
            New-Item -ItemType Directory -Force (Split-Path $corrupt) | Out-Null
            [IO.File]::WriteAllBytes($corrupt, [byte[]](1..200))
        }

        It 'reports a missing CAPS with PathNotFound' {
            { Invoke-ClinicaDLQualityCheck (Join-Path $TestDrive 'nowhere') -OutputPath (Join-Path $TestDrive 'x.tsv') -ErrorAction Stop } |
                Should -Throw -ErrorId 'PathNotFound,ClinicaDL.PowerShell.Commands.InvokeClinicaDLQualityCheckCommand'
        }

        It 'refuses a CAPS without t1-linear images with DatasetItemNotFound: an audit of nothing is no pass' {
            $empty = Join-Path $TestDrive 'empty'
            New-Item -ItemType Directory -Force (Join-Path $empty 'subjects/sub-01/ses-M000/t1_linear') | Out-Null
            { Invoke-ClinicaDLQualityCheck $empty -TemplatePath $SmallTemplate -OutputPath (Join-Path $TestDrive 'empty.tsv') -ErrorAction Stop } |
                Should -Throw -ErrorId 'DatasetItemNotFound,ClinicaDL.PowerShell.Commands.InvokeClinicaDLQualityCheckCommand'
            Test-Path (Join-Path $TestDrive 'empty.tsv') | Should -BeFalse
        }

        It 'reports a corrupt image with InvalidNiftiFile and checks the others' {
            $tsv = Join-Path $TestDrive 'small.tsv'
            $results = @(Invoke-ClinicaDLQualityCheck $SmallCaps -TemplatePath $SmallTemplate -OutputPath $tsv -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidNiftiFile,ClinicaDL.PowerShell.Commands.InvokeClinicaDLQualityCheckCommand'
            $problems[0].TargetObject | Should -BeLike '*sub-corrupt*'
            $results.ParticipantId | Should -Be @('sub-001', 'sub-002', 'sub-003')
            @(Import-Csv $tsv -Delimiter "`t").Count | Should -Be 3
            # Under 5 images there is no cohort to score against.
            $results.RobustZ | Should -Be @($null, $null, $null)
        }
    }
}
